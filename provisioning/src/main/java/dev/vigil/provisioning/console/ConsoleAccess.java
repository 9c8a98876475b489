package dev.vigil.provisioning.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use the console: whoever holds this run's secret (32 random bytes, base64url), first from the URL the
 * console prints, then from an HttpOnly, SameSite=Strict cookie. Forms carry a CSRF token derived from the secret
 * (HMAC-SHA256), so pages never contain the secret itself.
 */
final class ConsoleAccess {

    static final String SECRET_PARAMETER = "secret";
    static final String CSRF_FIELD = "csrf";

    private final String secret;
    private final String cookieName;
    private final String csrfToken;

    private ConsoleAccess(String secret, int port) {
        this.secret = secret;
        this.cookieName = "vigil-console-" + port; // cookies ignore ports: two consoles must not share one
        this.csrfToken = hmac(secret, "vigil-console-csrf-v1");
    }

    static ConsoleAccess random(int port) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new ConsoleAccess(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), port);
    }

    String secret() {
        return secret;
    }

    String csrfToken() {
        return csrfToken;
    }

    boolean isSecret(String candidate) {
        return equal(secret, candidate);
    }

    boolean isCsrfToken(String candidate) {
        return equal(csrfToken, candidate);
    }

    /** Does a {@code Cookie:} header carry this run's secret? */
    boolean admits(java.util.List<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return false;
        }
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                String c = cookie.strip();
                if (c.startsWith(cookieName + "=") && isSecret(c.substring(cookieName.length() + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The {@code Set-Cookie} value that keeps this browser in. */
    String setCookie() {
        return cookieName + "=" + secret + "; Path=/; HttpOnly; SameSite=Strict";
    }

    private static boolean equal(String expected, String candidate) {
        return candidate != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static String hmac(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
