package dev.vigil.provisioning.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where a node's registry lives: the embedded H2 database of its data directory (no URL, the default), or a
 * shared database by JDBC URL ({@code VIGIL.DB_URL=jdbc:postgresql://...}) with {@code VIGIL.DB_USER}, its password
 * from the environment ({@value #PASSWORD_VARIABLE}) or a file ({@code VIGIL.DB_PASSWORD_FILE}) — never from the
 * command line, nor from the URL.
 */
public record DatabaseSettings(String url, String user, String passwordFile) {

    public static final String URL_KEY = "VIGIL.DB_URL";
    public static final String USER_KEY = "VIGIL.DB_USER";
    public static final String PASSWORD_FILE_KEY = "VIGIL.DB_PASSWORD_FILE";
    public static final String PASSWORD_VARIABLE = "VIGIL_DB_PASSWORD";
    public static final String DEFAULT_USER = "vigil";

    /** The embedded database. */
    public static final DatabaseSettings EMBEDDED = new DatabaseSettings("", DEFAULT_USER, "");

    public DatabaseSettings {
        url = url == null ? "" : url.strip();
        user = user == null || user.isBlank() ? DEFAULT_USER : user.strip();
        passwordFile = passwordFile == null ? "" : passwordFile.strip();
        if (!url.isEmpty()) {
            Dialect.of(url); // refuses what is neither H2 nor PostgreSQL
            if (url.toLowerCase(Locale.ROOT).contains("password=")) {
                throw new IllegalArgumentException(URL_KEY + " must not hold the password: set " + PASSWORD_VARIABLE
                        + " or " + PASSWORD_FILE_KEY);
            }
        }
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    /**
     * Opens the registry: the embedded one in data directory {@code root}, or the shared one by URL
     * ({@code env}: where {@value #PASSWORD_VARIABLE} is).
     */
    public Database open(Path root, Map<String, String> env) {
        return embedded() ? Database.openEmbedded(root) : Database.open(url, user, password(env));
    }

    private String password(Map<String, String> env) {
        String variable = env.get(PASSWORD_VARIABLE);
        if (variable != null && !variable.isEmpty()) {
            return variable;
        }
        if (passwordFile.isEmpty()) {
            return "";
        }
        try {
            return BoundedFiles.readText(Path.of(passwordFile), BoundedFiles.SMALL_FILE_LIMIT, StandardCharsets.UTF_8,
                    "database password file").strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PASSWORD_FILE_KEY + " " + passwordFile, e);
        }
    }

    /** The settings a data directory's {@code vigil.properties} holds. */
    public static DatabaseSettings of(java.util.Properties properties) {
        return new DatabaseSettings(properties.getProperty(URL_KEY), properties.getProperty(USER_KEY),
                properties.getProperty(PASSWORD_FILE_KEY));
    }
}
