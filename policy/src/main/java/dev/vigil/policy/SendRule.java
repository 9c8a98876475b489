package dev.vigil.policy;

import java.util.List;
import java.util.Objects;

/**
 * Permission to send to one resource ({@code /profiles/{name}/send/{i}}).
 *
 * @param resource CoAP path without a leading slash, exact match ({@code "t"}, {@code "fw/status"})
 * @param methods CoAP method names ({@code "POST"})
 * @param formats allowed Content-Format numbers; empty allows any, including none
 * @param maxPayload largest payload in bytes
 * @param rate token bucket, one token per request
 * @param dailyVolume payload bytes per day, counted on allowed requests; 0 for unlimited
 */
public record SendRule(String resource, List<String> methods, List<Integer> formats, int maxPayload, Rate rate,
        long dailyVolume) {

    public SendRule {
        Objects.requireNonNull(resource, "resource");
        methods = List.copyOf(methods);
        formats = List.copyOf(formats);
        Objects.requireNonNull(rate, "rate");
    }
}
