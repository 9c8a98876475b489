package dev.vigil.provisioning.devices;

import java.util.List;

/**
 * The result of a lifecycle transition: the device after it, its state before, and every key it holds. In a batch, a
 * device already where the transition leads is reported unchanged ({@code before} equals the state after).
 */
public record LifecycleChange(Device device, DeviceState before, List<String> keyIds) {

    public boolean changed() {
        return before != device.state();
    }
}
