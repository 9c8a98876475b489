package dev.vigil.provisioning.telemetry;

/**
 * One resolved SenML record (RFC 8428): a name, an optional unit, exactly one of a number, string or
 * boolean value, and the time it was measured (seconds since the epoch, or null for "now").
 */
public record Reading(String name, String unit, Double number, String text, Boolean bool, Double measuredAt) {

    /** The value as text, whichever kind it is. */
    public String valueText() {
        if (number != null) {
            return number == Math.rint(number) && Math.abs(number) < 1e15
                    ? Long.toString(number.longValue()) : Double.toString(number);
        }
        return text != null ? text : String.valueOf(bool);
    }
}
