package dev.vigil.provisioning.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Savepoint;

/**
 * An insert that may hit a unique constraint, with the same outcome on H2 and PostgreSQL: the violation is a
 * {@link SQLIntegrityConstraintViolationException} (pgjdbc throws a plain {@code PSQLException}), and the
 * transaction stays usable after it (PostgreSQL otherwise aborts the whole transaction, so the caller could not
 * even look up who holds the name): the insert runs under a savepoint that the violation rolls back to.
 */
public final class UniqueKeys {

    /** SQLSTATE unique_violation, the same on both databases. */
    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueKeys() {
    }

    public static int executeUpdate(Connection c, PreparedStatement insert) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            int count = insert.executeUpdate();
            c.releaseSavepoint(savepoint);
            return count;
        } catch (SQLException e) {
            c.rollback(savepoint);
            if (e instanceof SQLIntegrityConstraintViolationException) {
                throw e;
            }
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new SQLIntegrityConstraintViolationException(e.getMessage(), e.getSQLState(), e);
            }
            throw e;
        }
    }
}
