package dev.vigil.provisioning.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request passes here: without this run's secret (URL once, then cookie) it gets 403 and nothing else; a
 * POST also needs the form's CSRF token; then the page answers. No exception text ever reaches the browser.
 */
final class ConsoleHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
    private static final int MAX_FORM = 64 * 1024;
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self';"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final ConsoleAccess access;
    private final ConsoleRoutes routes;
    private final String origin;

    ConsoleHandler(ConsoleAccess access, ConsoleRoutes routes, String origin) {
        this.access = access;
        this.routes = routes;
        this.origin = origin;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            Map<String, String> query = Paths.parameters(exchange.getRequestURI().getRawQuery());
            if (query.containsKey(ConsoleAccess.SECRET_PARAMETER)) {
                exchangeSecret(exchange, query.get(ConsoleAccess.SECRET_PARAMETER));
                return;
            }
            if (!access.admits(exchange.getRequestHeaders().get("Cookie"))) {
                plain(exchange, 403, "403 Forbidden");
                return;
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                plain(exchange, 405, "405 Method Not Allowed");
                return;
            }
            boolean post = method.equals("POST");
            Map<String, String> form = post ? form(exchange) : Map.of();
            if (post && !(access.isCsrfToken(form.get(ConsoleAccess.CSRF_FIELD)) && sameOrigin(exchange))) {
                plain(exchange, 403, "403 Forbidden: the form is stale or not from this console; reload the page");
                return;
            }
            ConsoleRequest request = new ConsoleRequest(method, exchange.getRequestURI().getPath(),
                    Paths.segments(exchange.getRequestURI().getRawPath()), query, form);
            Page page = routes.route(request);
            if (page == null) {
                plain(exchange, 404, "404 Not Found");
            } else if (!routes.allows(page, request)) {
                plain(exchange, 405, "405 Method Not Allowed");
            } else {
                Reply reply = page.handle(request);
                send(exchange, reply.status(), "text/html; charset=utf-8", reply.html());
            }
        } catch (IOException e) {
            LOG.debug("console: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("console: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
            try {
                plain(exchange, 500, "500 Internal Error: see the console's log");
            } catch (IOException | RuntimeException again) {
                LOG.debug("console: could not answer: {}", again.toString());
            }
        } finally {
            exchange.close();
        }
    }

    /** The secret from the printed URL becomes a cookie, and the browser goes on to the same path without it. */
    private void exchangeSecret(HttpExchange exchange, String secret) throws IOException {
        if (!access.isSecret(secret)) {
            plain(exchange, 403, "403 Forbidden");
            return;
        }
        exchange.getResponseHeaders().add("Set-Cookie", access.setCookie());
        exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getRawPath());
        plain(exchange, 303, "303 See Other");
    }

    /** A browser names the page's origin on a POST; another site's form (were it to get the token) would not match. */
    private boolean sameOrigin(HttpExchange exchange) {
        String sent = exchange.getRequestHeaders().getFirst("Origin");
        return sent == null || sent.equals(origin);
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_FORM + 1);
            if (body.length > MAX_FORM) {
                return Map.of(); // too large: no token, so refused
            }
            return Paths.parameters(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void plain(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text + "\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Cache-Control", "no-store");
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "same-origin"); // "no-referrer" would make POSTs say "Origin: null"
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
