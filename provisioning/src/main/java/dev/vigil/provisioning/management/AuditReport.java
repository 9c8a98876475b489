package dev.vigil.provisioning.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.audit.AuditLog;

/** What {@code audit.verify} answers, and what {@code vigil audit verify} prints for a stopped server too. */
public final class AuditReport {

    private AuditReport() {
    }

    public static ObjectNode of(AuditLog.Verification result) {
        ObjectNode node = Args.object().put("intact", result.intact()).put("checked", result.checked())
                .put("anchored", result.anchored());
        if (!result.intact()) {
            node.put("firstBroken", result.firstBroken()).put("problem", result.problem())
                    .put("broken", result.broken());
            ArrayNode breaks = node.putArray("breaks");
            result.breaks().forEach(b -> breaks.addObject().put("seq", b.seq()).put("problem", b.problem()));
        }
        return node;
    }
}
