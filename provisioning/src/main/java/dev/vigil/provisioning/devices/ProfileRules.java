package dev.vigil.provisioning.devices;

/** What the registry needs to know of the policy in force about a profile. */
public interface ProfileRules {

    boolean exists(String profile);

    /** Devices of this profile wait in PENDING for an operator after enrollment or activation. */
    boolean requiresApproval(String profile);
}
