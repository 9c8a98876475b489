package dev.vigil.provisioning.policy;

import dev.vigil.policy.CompiledPolicy;
import dev.vigil.policy.PolicyCompiler;
import dev.vigil.policy.PolicyError;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.PolicySet;
import dev.vigil.provisioning.store.BoundedFiles;
import java.util.List;
import java.util.Set;

/**
 * Policy documents: JSON in, {@link PolicySet} or {@link CompiledPolicy} out, or every error with its
 * JSON Pointer, line and column. The shape is checked first (syntax, types, required and unknown
 * fields: a typo must never silently widen or narrow a policy), then the meaning, by
 * {@link PolicyCompiler}. A document with any error is refused whole.
 *
 * <pre>{@code
 * {
 *   "profiles": {
 *     "sensor": {
 *       "send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 1024,
 *                 "rate": {"perSecond": 1, "burst": 10}, "dailyVolume": 10485760}],
 *       "commands": ["reboot"],
 *       "services": ["firmware", "key-rotation"],
 *       "conditions": {
 *         "schedule": {"zone": "Europe/Berlin",
 *                      "windows": [{"days": ["MON", "TUE"], "from": "22:00", "to": "06:00"}]},
 *         "minFirmware": "1.0.0",
 *         "minTier": "LIMITED"},
 *       "session": {"maxLifetime": "24h"},
 *       "approval": false,
 *       "maxKeyAge": "365d",
 *       "childAuth": "relay"
 *     }
 *   },
 *   "roles": {"admin": {"operations": ["*"]}, "auditor": {"operations": ["*.list", "audit.*"]}}
 * }
 * }</pre>
 *
 * Required: {@code profiles}, {@code roles}; in a send rule {@code resource}, {@code methods},
 * {@code maxPayload} and {@code rate} ({@code perSecond}, {@code burst}); in a schedule {@code zone}
 * and {@code windows}; in a window {@code days}, {@code from}, {@code to}; in a role
 * {@code operations}. Everything else is optional: absent {@code formats} allow any, an absent (or 0)
 * {@code dailyVolume} is unlimited, absent commands and services grant none, absent conditions require
 * nothing, {@code session.maxLifetime} defaults to 24h, {@code approval} to false, {@code maxKeyAge} to
 * no limit, {@code childAuth} (the weakest way a device of the profile may sit behind a gateway: {@code relay},
 * {@code oscore} or {@code asserted}) to any. Durations are a whole number and one unit of {@code ms}, {@code s}, {@code m}, {@code h},
 * {@code d}. What each value means is in the javadoc of the {@code dev.vigil.policy} records.
 *
 * <p>Limits: a document is at most {@link BoundedFiles#POLICY_FILE_LIMIT} bytes (UTF-8) and nests at
 * most {@link LocatedJson#MAX_DEPTH} levels; a field appears once per object.
 */
public final class PolicyDocuments {

    private PolicyDocuments() {
    }

    /** The document as written, checked for shape only. */
    public static PolicySet parse(String json, long version) throws PolicyDocumentException {
        return read(json, version).policy();
    }

    /**
     * The document checked for shape and meaning, ready for {@code PolicyEngine.apply}. Role operation patterns are
     * checked for form only: a stored policy loads whatever operations a later version of Vigil dropped.
     */
    public static CompiledPolicy compile(String json, long version) throws PolicyDocumentException {
        return compile(json, version, null);
    }

    /**
     * As {@link #compile(String, long)}, and every role operation pattern must name an operation of
     * {@code operations} (or, {@code prefix.*} and {@code *.suffix}, match one): what {@code policy validate} and
     * {@code policy apply} check, with or without a server. Unknown operations are reported with the shape errors
     * if there are any, else with the meaning errors: every error of a stage in one pass.
     */
    public static CompiledPolicy compile(String json, long version, Set<String> operations)
            throws PolicyDocumentException {
        Parsed parsed = read(json, version, operations);
        try {
            CompiledPolicy compiled = PolicyCompiler.compile(parsed.policy());
            parsed.errors().throwIfAny();
            return compiled;
        } catch (PolicyException e) {
            for (PolicyError error : e.errors()) {
                parsed.errors().add(error.path(), error.message());
            }
            parsed.errors().throwIfAny();
            throw new IllegalStateException("a policy exception always has errors", e);
        }
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private record Parsed(PolicySet policy, DocumentErrors errors) {
    }

    private static Parsed read(String json, long version) throws PolicyDocumentException {
        return read(json, version, null);
    }

    private static Parsed read(String json, long version, Set<String> operations) throws PolicyDocumentException {
        if (utf8Length(json) > BoundedFiles.POLICY_FILE_LIMIT) {
            throw new PolicyDocumentException(List.of(new DocumentError("", 1, 1,
                    "the document is larger than " + BoundedFiles.size(BoundedFiles.POLICY_FILE_LIMIT))));
        }
        LocatedJson document = LocatedJson.read(json);
        DocumentErrors errors = new DocumentErrors(document.positions());
        PolicySet policy = new PolicyReader(errors).policy(document.root(), version);
        boolean shapeRight = errors.isEmpty();
        if (operations != null) {
            RoleOperations.checkKnown(policy, operations, errors);
        }
        if (!shapeRight) {
            errors.throwIfAny();
        }
        return new Parsed(policy, errors);
    }
}
