package dev.vigil.provisioning.gateways;

/**
 * What the server needs to fence a request made for a child: which gateway it belongs to, in which mode, and
 * the child's ACTIVE key (null if it has none), through which its current identity is looked up.
 */
public record ChildLink(long childId, String childName, long gatewayId, ChildMode mode, String childKeyId) {
}
