package dev.vigil.provisioning.console;

/** The frame around every page: title, navigation, who is signed in, and the inline style sheet. */
final class Layout {

    private static final String[][] NAV = {{"/", "Fleet"}, {"/events", "Events"}, {"/audit", "Audit"},
        {"/tokens", "Tokens"}};

    private static final String STYLE = """
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
              color:#1d2430;background:#f3f5f8}
            header{display:flex;align-items:center;gap:24px;padding:10px 24px;background:#17202e;color:#e8edf4}
            header .brand{font-weight:700;font-size:17px;letter-spacing:.5px}
            header nav a{color:#b9c6d8;text-decoration:none;margin-right:16px;padding:4px 0}
            header nav a.on{color:#fff;border-bottom:2px solid #4f9cf7}
            header .who{margin-left:auto;color:#9fb0c6;font-size:13px}
            main{padding:20px 24px;max-width:1280px}
            h1{font-size:20px;margin:0 0 14px}
            h2{font-size:15px;margin:22px 0 8px;color:#334155}
            .cards{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:8px}
            .card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:8px 14px;min-width:110px}
            .card .n{font-size:22px;font-weight:600}
            .card .l{font-size:12px;color:#64748b;text-transform:uppercase;letter-spacing:.4px}
            table{border-collapse:collapse;background:#fff;border:1px solid #dde3ea;width:100%;margin-bottom:6px}
            th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #edf0f4;vertical-align:top;
              overflow-wrap:break-word}
            .long{overflow-wrap:anywhere}
            .t{white-space:nowrap}
            th{background:#f8fafc;font-size:12px;color:#475569;text-transform:uppercase;letter-spacing:.4px}
            td.mono,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
            a{color:#1d63c9}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
              background:#e2e8f0;color:#334155}
            .b-active,.b-trusted{background:#dcfce7;color:#166534}
            .b-suspended{background:#fee2e2;color:#991b1b}
            .b-quarantined{background:#ffedd5;color:#9a3412}
            .b-limited,.b-pending,.b-provisioned{background:#fef9c3;color:#854d0e}
            .b-decommissioned,.b-retired,.b-revoked{background:#e5e7eb;color:#4b5563}
            .refused{background:#fff7ed;border:1px solid #fdba74;color:#9a3412;padding:8px 12px;border-radius:6px}
            .notice{background:#eff6ff;border:1px solid #93c5fd;color:#1e3a8a;padding:8px 12px;border-radius:6px}
            .ok{background:#f0fdf4;border:1px solid #86efac;color:#166534;padding:8px 12px;border-radius:6px}
            .empty{color:#64748b}
            form.inline{display:inline-block;margin:0 6px 6px 0}
            form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:10px 0}
            label{font-size:12px;color:#475569;display:flex;flex-direction:column;gap:2px}
            input,select{font:inherit;padding:4px 6px;border:1px solid #cbd5e1;border-radius:4px;background:#fff}
            button{font:inherit;padding:5px 12px;border-radius:4px;border:1px solid #94a3b8;background:#fff;
              cursor:pointer}
            button.danger{border-color:#dc2626;color:#b91c1c}
            button.primary{background:#1d63c9;border-color:#1d63c9;color:#fff}
            dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;
              border:1px solid #dde3ea;border-radius:6px;padding:12px 16px;margin:0}
            dl.facts dt{color:#64748b}
            dl.facts dd{margin:0}
            .charts{display:flex;flex-direction:column;gap:8px;margin-bottom:10px}
            svg.chart{background:#fff;border:1px solid #dde3ea;border-radius:6px}
            .secret{font:16px ui-monospace,"DejaVu Sans Mono",monospace;background:#fff;border:2px dashed #1d63c9;
              padding:10px;display:inline-block;word-break:break-all}
            """;

    private final String operator;

    /** {@code operator}: who the console acts as, e.g. "admin (admin)". */
    Layout(String operator) {
        this.operator = operator;
    }

    String page(String path, String title, String body) {
        StringBuilder nav = new StringBuilder();
        for (String[] item : NAV) {
            boolean on = item[0].equals("/") ? path.equals("/") || path.startsWith("/devices")
                    : path.startsWith(item[0]);
            nav.append("<a href=\"").append(item[0]).append('"').append(on ? " class=\"on\"" : "").append('>')
                    .append(item[1]).append("</a>");
        }
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.esc(title)
                + " · Vigil console</title><meta name=\"viewport\" content=\"width=device-width\"><style>" + STYLE
                + "</style></head><body><header><span class=\"brand\">Vigil</span><nav>" + nav
                + "</nav><span class=\"who\">operator " + Html.esc(operator) + "</span></header><main><h1>"
                + Html.esc(title) + "</h1>" + body + "</main></body></html>";
    }
}
