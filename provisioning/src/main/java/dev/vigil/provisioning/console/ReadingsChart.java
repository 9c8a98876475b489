package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A device's numeric readings as inline SVG: one small line chart per reading name, each on its own value scale,
 * all on the same time axis (measured time if the device sent one, else received). Rendered on the server: no
 * script, no assets.
 */
final class ReadingsChart {

    static final int MAX_SERIES = 6;
    private static final String[] COLOURS = {"#1d63c9", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 150;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 26;
    private static final int BOTTOM = 24;

    private record Point(long millis, double value) {
    }

    private record Series(String name, String unit, List<Point> points) {
    }

    private ReadingsChart() {
    }

    /** The charts for {@code readings} (oldest first, as {@code telemetry.tail} gives them). */
    static String svg(List<JsonNode> readings) {
        Map<String, Series> series = new LinkedHashMap<>();
        for (JsonNode r : readings) {
            String name = r.path("name").asText();
            if (!r.has("v") || (!series.containsKey(name) && series.size() == MAX_SERIES)) {
                continue;
            }
            long millis = r.has("t") ? Math.round(r.get("t").asDouble() * 1000)
                    : Instant.parse(r.path("receivedAt").asText()).toEpochMilli();
            series.computeIfAbsent(name, n -> new Series(n, r.path("unit").asText(""), new ArrayList<>())).points()
                    .add(new Point(millis, r.get("v").asDouble()));
        }
        if (series.isEmpty()) {
            return "<p class=\"empty\" id=\"chart-empty\">no numeric readings to chart</p>";
        }
        List<Point> all = series.values().stream().flatMap(s -> s.points().stream()).toList();
        long t0 = all.stream().mapToLong(Point::millis).min().orElseThrow();
        long t1 = Math.max(t0 + 1, all.stream().mapToLong(Point::millis).max().orElseThrow());
        StringBuilder out = new StringBuilder("<div id=\"readings-chart\" class=\"charts\">");
        int i = 0;
        for (Series s : series.values()) {
            panel(out, s, t0, t1, COLOURS[i++ % COLOURS.length]);
        }
        return out.append("</div>").toString();
    }

    private record Scale(long t0, long t1, double lo, double hi) {
        double x(long millis) {
            return LEFT + (WIDTH - LEFT - RIGHT) * (double) (millis - t0) / (t1 - t0);
        }

        double y(double value) {
            return TOP + (HEIGHT - TOP - BOTTOM) * (hi - value) / (hi - lo);
        }
    }

    private static void panel(StringBuilder out, Series series, long t0, long t1, String colour) {
        double lo = series.points().stream().mapToDouble(Point::value).min().orElseThrow();
        double hi = series.points().stream().mapToDouble(Point::value).max().orElseThrow();
        double pad = hi - lo < 1e-9 ? 1 : (hi - lo) * 0.1;
        Scale s = new Scale(t0, t1, lo - pad, hi + pad);
        out.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(Html.esc(series.name())).append("\">");
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"12\" font-weight=\"600\""
                + " font-family=\"sans-serif\" fill=\"#1d2430\">%s%s</text>", LEFT, Html.esc(series.name()),
                series.unit().isEmpty() ? "" : " (" + Html.esc(series.unit()) + ")"));
        axes(out, s);
        StringBuilder path = new StringBuilder();
        for (Point p : series.points()) {
            path.append(String.format(Locale.ROOT, "%.1f,%.1f ", s.x(p.millis()), s.y(p.value())));
        }
        out.append("<g class=\"series\" data-name=\"").append(Html.esc(series.name()))
                .append("\"><polyline fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\" points=\"").append(path.toString().strip()).append("\"/>");
        for (Point p : series.points()) {
            out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
                    + "<title>%s %s at %s</title></circle>", s.x(p.millis()), s.y(p.value()), colour,
                    Html.esc(series.name()), number(p.value()), Instant.ofEpochMilli(p.millis())));
        }
        out.append("</g></svg>");
    }

    private static void axes(StringBuilder out, Scale s) {
        int bottom = HEIGHT - BOTTOM;
        out.append("<g stroke=\"#e2e8f0\" stroke-width=\"1\">");
        for (int k = 0; k <= 2; k++) {
            double y = TOP + (bottom - TOP) * k / 2.0;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT, y,
                    WIDTH - RIGHT, y));
        }
        out.append("</g><g font-size=\"11\" fill=\"#64748b\" font-family=\"sans-serif\">");
        for (int k = 0; k <= 2; k++) {
            double value = s.hi() - (s.hi() - s.lo()) * k / 2.0;
            double y = TOP + (bottom - TOP) * k / 2.0;
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 6,
                    y + 4, number(value)));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", LEFT, HEIGHT - 6, time(s.t0())));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", WIDTH - RIGHT,
                HEIGHT - 6, time(s.t1())));
        out.append("</g>");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.valueOf((long) v);
        }
        String text = String.format(Locale.ROOT, "%.2f", v);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** "2026-12-01 03:54:02 UTC". */
    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString().replace('T', ' ').replaceAll("(\\.\\d+)?Z$", "") + " UTC";
    }
}
