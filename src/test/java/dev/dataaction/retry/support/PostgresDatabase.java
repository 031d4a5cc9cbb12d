package dev.dataaction.retry.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real PostgreSQL server for the {@code postgres} store: {@code ORCHESTRATOR_DB_URL} (default
 * {@code postgresql://127.0.0.1:5432/test}) with {@code ORCHESTRATOR_DB_USERNAME} and {@code ORCHESTRATOR_DB_PASSWORD}
 * (default {@code postgres} and none). Each application starts on an empty schema, which Flyway creates.
 */
public class PostgresDatabase implements QuarkusTestResourceLifecycleManager {

    public static final String URL = env("ORCHESTRATOR_DB_URL").orElse("postgresql://127.0.0.1:5432/test");
    public static final String USERNAME = env("ORCHESTRATOR_DB_USERNAME").orElse("postgres");
    public static final String PASSWORD = env("ORCHESTRATOR_DB_PASSWORD").orElse("");

    @Override
    public Map<String, String> start() {
        dropSchema();
        return settings(URL);
    }

    @Override
    public void stop() {
    }

    /** The application's settings for the database at {@code url} (a {@code postgresql://} URL). */
    public static Map<String, String> settings(String url) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("orchestrator.store", "postgres");
        settings.put("quarkus.datasource.reactive.url", url);
        settings.put("quarkus.datasource.username", USERNAME);
        settings.put("quarkus.datasource.password", PASSWORD);
        return settings;
    }

    /** Drops the service's tables, so that the next application migrates an empty database. */
    public static void dropSchema() {
        update("DROP TABLE IF EXISTS retries, replicas, traffic_controls, flyway_schema_history");
    }

    /** Runs a statement; returns the rows it changed. */
    public static int update(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        } catch (SQLException failed) {
            throw new IllegalStateException("Statement failed: " + sql, failed);
        }
    }

    /** Runs a query; each row is a map of column to value. */
    public static List<Map<String, Object>> query(String sql) {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<Map<String, Object>> result = new ArrayList<>();
            while (rows.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                    row.put(rows.getMetaData().getColumnLabel(column), rows.getObject(column));
                }
                result.add(row);
            }
            return result;
        } catch (SQLException failed) {
            throw new IllegalStateException("Query failed: " + sql, failed);
        }
    }

    /**
     * Locks the retries table of the database at {@code url} against writes until the returned connection is closed:
     * reads go on, every insert and update waits, as they would behind a slow or busy database.
     */
    public static Connection lockAgainstWrites(String url) throws SQLException {
        Connection locking = connect(url);
        try (Statement lock = locking.createStatement()) {
            locking.setAutoCommit(false);
            lock.execute("LOCK TABLE retries IN SHARE MODE");
            return locking;
        } catch (SQLException failed) {
            locking.close();
            throw failed;
        }
    }

    /** Locks this database's retries table against writes: see {@link #lockAgainstWrites(String)}. */
    public static Connection lockAgainstWrites() throws SQLException {
        return lockAgainstWrites(URL);
    }

    /** How many statements starting with {@code sqlStart} wait for a lock in the database at {@code url}. */
    public static long waitingForLock(String url, String sqlStart) {
        try (Connection database = connect(url);
                PreparedStatement waiting = database.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?")) {
            waiting.setString(1, sqlStart + "%");
            try (ResultSet rows = waiting.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not read the database's activity", failed);
        }
    }

    /** How many statements starting with {@code sqlStart} wait for a lock in this database. */
    public static long waitingForLock(String sqlStart) {
        return waitingForLock(URL, sqlStart);
    }

    private static Connection connect() throws SQLException {
        return connect(URL);
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection("jdbc:" + url, USERNAME, PASSWORD);
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }
}
