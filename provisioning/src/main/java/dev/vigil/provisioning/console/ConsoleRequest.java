package dev.vigil.provisioning.console;

import java.util.Map;

/**
 * One browser request the console admitted: its path (and its segments, each decoded on its own, so a name may hold
 * a '/'), query parameters and (for a POST) form fields.
 */
record ConsoleRequest(String method, String path, java.util.List<String> segments, Map<String, String> query,
        Map<String, String> form) {

    boolean isPost() {
        return "POST".equals(method);
    }

    String param(String name) {
        String value = query.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    String field(String name) {
        String value = form.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
