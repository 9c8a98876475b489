package dev.vigil.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A policy as written: device profiles and operator roles by name, and the version the caller gave it.
 * Nothing here has been checked beyond its shape; {@link PolicyCompiler#compile(PolicySet)} checks the
 * meaning and reports each problem at a JSON Pointer into the document form, which mirrors these
 * records one to one:
 *
 * <pre>
 * /profiles/{name}/send/{i}/{resource|methods/{j}|formats/{j}|maxPayload|rate/{perSecond|burst}|dailyVolume}
 * /profiles/{name}/{commands/{i}|services/{i}|approval|maxKeyAge|session/maxLifetime}
 * /profiles/{name}/conditions/{minFirmware|minTier|schedule/zone|schedule/windows/{i}/{days/{j}|from|to}}
 * /roles/{name}/operations/{i}
 * </pre>
 *
 * Anything a profile or role does not grant is denied. Maps keep their iteration order, so errors come
 * out in document order.
 *
 * @param version caller-chosen, increasing with every applied policy
 */
public record PolicySet(long version, Map<String, DeviceProfile> profiles, Map<String, OperatorRole> roles) {

    public PolicySet {
        profiles = orderedCopy(profiles);
        roles = orderedCopy(roles);
    }

    static <V> Map<String, V> orderedCopy(Map<String, V> map) {
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(Objects.requireNonNull(key), Objects.requireNonNull(value, key)));
        return Collections.unmodifiableMap(copy);
    }
}
