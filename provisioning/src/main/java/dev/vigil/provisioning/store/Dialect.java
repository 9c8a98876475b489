package dev.vigil.provisioning.store;

/**
 * The registry's database engine. Schema versions V1..V9 were written for H2 and have a PostgreSQL twin each
 * ({@code db/h2}, {@code db/postgresql}); later versions ({@code db/migration}) are one file in SQL both run, except
 * V16 (a twin again: H2 names V1's inline foreign keys itself, so each engine drops one by its own name).
 */
public enum Dialect {
    H2("classpath:db/h2"),
    POSTGRESQL("classpath:db/postgresql");

    private final String ownMigrations;

    Dialect(String ownMigrations) {
        this.ownMigrations = ownMigrations;
    }

    /** Where Flyway finds this engine's migrations: the shared ones and its own versions of the first nine. */
    String[] migrationLocations() {
        return new String[] {"classpath:db/migration", ownMigrations};
    }

    /** The engine a JDBC URL names; only H2 and PostgreSQL are supported. */
    public static Dialect of(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (jdbc:h2: or jdbc:postgresql: only): "
                + url.replaceAll("[?;].*", ""));
    }
}
