package dev.vigil.provisioning;

import java.util.List;

/** The result of a lifecycle transition: the device after it, its state before, and every key it holds. */
public record LifecycleChange(Device device, DeviceState before, List<String> keyIds) {
}
