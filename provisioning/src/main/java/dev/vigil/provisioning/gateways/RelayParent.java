package dev.vigil.provisioning.gateways;

/**
 * The gateway a relay child is registered behind, for the server's check of where the child's session comes from;
 * {@code gatewayKeyId} is the gateway's ACTIVE key, or null if it has none.
 */
public record RelayParent(String gatewayName, String gatewayKeyId) {
}
