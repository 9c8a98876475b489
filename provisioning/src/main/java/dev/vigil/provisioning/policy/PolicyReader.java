package dev.vigil.provisioning.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.policy.Conditions;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.OperatorRole;
import dev.vigil.policy.PolicySet;
import dev.vigil.policy.Rate;
import dev.vigil.policy.Schedule;
import dev.vigil.policy.ScheduleWindow;
import dev.vigil.policy.SendRule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/** Maps a located JSON tree onto the policy records, checking shape only; meaning is the compiler's job. */
final class PolicyReader {

    private final DocumentErrors errors;

    PolicyReader(DocumentErrors errors) {
        this.errors = errors;
    }

    PolicySet policy(JsonNode root, long version) {
        JsonFields fields = JsonFields.of(root, "", errors, Set.of("profiles", "roles")).require("profiles", "roles");
        return new PolicySet(version, named(fields, "profiles", this::profile), named(fields, "roles", this::role));
    }

    private <T> Map<String, T> named(JsonFields parent, String field, BiFunction<JsonNode, String, T> reader) {
        Map<String, T> named = new LinkedHashMap<>();
        parent.members(field, (name, node) -> named.put(name, reader.apply(node, DocumentErrors.at(parent.path(field), name))));
        return named;
    }

    private DeviceProfile profile(JsonNode node, String path) {
        JsonFields fields = JsonFields.of(node, path, errors,
                Set.of("send", "commands", "services", "conditions", "session", "approval", "maxKeyAge",
                        "childAuth"));
        JsonFields conditions = fields.object("conditions", "schedule", "minFirmware", "minTier");
        Schedule schedule = null;
        if (conditions.has("schedule")) {
            JsonFields scheduleFields = conditions.object("schedule", "zone", "windows").require("zone", "windows");
            schedule = new Schedule(scheduleFields.text("zone", "UTC"), scheduleFields.list("windows", this::window));
        }
        return new DeviceProfile(fields.list("send", this::rule), fields.texts("commands"), fields.texts("services"),
                new Conditions(schedule, conditions.text("minFirmware", null), conditions.text("minTier", null)),
                fields.object("session", "maxLifetime").duration("maxLifetime"), fields.bool("approval"),
                fields.duration("maxKeyAge"), fields.text("childAuth", null));
    }

    private SendRule rule(JsonNode node, String path) {
        JsonFields fields = JsonFields.of(node, path, errors,
                Set.of("resource", "methods", "formats", "maxPayload", "rate", "dailyVolume"))
                .require("resource", "methods", "maxPayload", "rate");
        JsonFields rate = fields.has("rate") ? fields.object("rate", "perSecond", "burst").require("perSecond", "burst")
                : fields.object("rate");
        return new SendRule(fields.text("resource", ""), fields.texts("methods"), fields.integers("formats"),
                (int) fields.whole("maxPayload", 0, Integer.MIN_VALUE, Integer.MAX_VALUE),
                new Rate(rate.number("perSecond", 1), (int) rate.whole("burst", 1, Integer.MIN_VALUE, Integer.MAX_VALUE)),
                fields.whole("dailyVolume", 0, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private ScheduleWindow window(JsonNode node, String path) {
        JsonFields fields = JsonFields.of(node, path, errors, Set.of("days", "from", "to")).require("days", "from", "to");
        return new ScheduleWindow(fields.texts("days"), fields.text("from", "00:00"), fields.text("to", "24:00"));
    }

    private OperatorRole role(JsonNode node, String path) {
        return new OperatorRole(JsonFields.of(node, path, errors, Set.of("operations")).require("operations")
                .texts("operations"));
    }
}
