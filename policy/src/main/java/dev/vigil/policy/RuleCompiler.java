package dev.vigil.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks and compiles a profile's send rules ({@code /profiles/{name}/send}). */
final class RuleCompiler {

    /** Path segments of RFC 3986 pchar, without '%' escapes or '*', which could be taken for a wildcard. */
    private static final String SEGMENT = "[A-Za-z0-9._~!$&'()+,;=:@-]+";
    private static final Pattern RESOURCE = Pattern.compile(SEGMENT + "(/" + SEGMENT + ")*");
    private static final double MAX_PER_SECOND = 1_000_000;

    private RuleCompiler() {
    }

    static List<CompiledRule> compile(List<SendRule> send, String path, Problems problems) {
        List<CompiledRule> rules = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < send.size(); i++) {
            SendRule rule = send.get(i);
            String at = Problems.at(path, i);
            int before = problems.count();
            String resource = rule.resource();
            if (resource.isEmpty()) {
                problems.add(Problems.at(at, "resource"), "resource must not be empty");
            } else if (!RESOURCE.matcher(resource).matches()) {
                problems.add(Problems.at(at, "resource"), "resource '" + resource
                        + "' must be a CoAP path without a leading '/' or wildcards, such as 't' or 'fw/status'");
            } else if (seen.containsKey(resource)) {
                problems.add(Problems.at(at, "resource"), "resource '" + resource + "' already has a send rule at "
                        + seen.get(resource));
            }
            seen.putIfAbsent(resource, at);
            int methods = methods(rule.methods(), Problems.at(at, "methods"), problems);
            int[] formats = formats(rule.formats(), Problems.at(at, "formats"), problems);
            if (rule.maxPayload() < 0) {
                problems.add(Problems.at(at, "maxPayload"), "maxPayload must not be negative: " + rule.maxPayload());
            }
            rate(rule.rate(), Problems.at(at, "rate"), problems);
            if (rule.dailyVolume() < 0 || rule.dailyVolume() > RuleCounters.MAX_DAILY_VOLUME) {
                problems.add(Problems.at(at, "dailyVolume"), "dailyVolume must be 0 (unlimited) to "
                        + RuleCounters.MAX_DAILY_VOLUME + " bytes: " + rule.dailyVolume());
            }
            if (problems.count() == before) {
                rules.add(new CompiledRule(resource, rules.size(), methods, formats, rule.maxPayload(), rule.rate(),
                        rule.dailyVolume()));
            }
        }
        return rules;
    }

    private static int methods(List<String> names, String path, Problems problems) {
        if (names.isEmpty()) {
            problems.add(path, "methods must name at least one method");
        }
        int mask = 0;
        for (int j = 0; j < names.size(); j++) {
            try {
                mask |= Method.valueOf(names.get(j)).bit();
            } catch (IllegalArgumentException e) {
                problems.add(Problems.at(path, j), "unknown method '" + names.get(j)
                        + "'; methods are GET, POST, PUT, DELETE, FETCH, PATCH and IPATCH");
            }
        }
        return mask;
    }

    private static int[] formats(List<Integer> formats, String path, Problems problems) {
        int[] numbers = new int[formats.size()];
        for (int j = 0; j < numbers.length; j++) {
            numbers[j] = formats.get(j);
            if (numbers[j] < 0 || numbers[j] > 0xFFFF) {
                problems.add(Problems.at(path, j), "content format must be 0-65535: " + numbers[j]);
            }
        }
        return numbers;
    }

    private static void rate(Rate rate, String path, Problems problems) {
        if (!(rate.perSecond() > 0 && rate.perSecond() <= MAX_PER_SECOND)) {
            problems.add(Problems.at(path, "perSecond"), "perSecond must be above 0 and at most 1000000: "
                    + rate.perSecond());
        }
        if (rate.burst() < 1) {
            problems.add(Problems.at(path, "burst"), "burst must be at least 1: " + rate.burst());
        }
    }
}
