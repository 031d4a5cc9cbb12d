package dev.dataaction.retry.durable;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.dataaction.retry.support.PostgresDatabase;

/**
 * The database the replicas share: the one of {@code ORCHESTRATOR_DB_URL} (see {@link PostgresDatabase}) with
 * {@code _replicas} added to its name, on the same server (its host, port and parameters are kept). The other tests drop
 * and recreate their tables in the server's own database whenever one of their applications starts, possibly while these
 * tests run, so the replicas keep to a database of their own; deriving its name lets two builds that use two databases
 * of one server run side by side.
 */
final class ReplicaDatabase {

    static final String NAME = named("replicas");
    /** What the replicas are given as {@code ORCHESTRATOR_DB_URL}. */
    static final String URL = onServerOf(PostgresDatabase.URL, NAME);

    private ReplicaDatabase() {
    }

    /**
     * The name of a database of {@code ORCHESTRATOR_DB_URL}'s server for one test class's replicas: that URL's database
     * name with {@code _<suffix>} added, so that classes whose replicas must not meet keep apart, as builds that use two
     * databases of one server do.
     */
    static String named(String suffix) {
        return URI.create(PostgresDatabase.URL).getPath().substring(1) + "_" + suffix;
    }

    /** What replicas using the database {@code name} of {@code ORCHESTRATOR_DB_URL}'s server are given as its URL. */
    static String urlOf(String name) {
        return onServerOf(PostgresDatabase.URL, name);
    }

    /** Creates the database unless it exists, and drops the service's tables, so that the first replica migrates it. */
    static void prepare() {
        prepare(NAME);
    }

    /** The same for the database {@code name} of {@code ORCHESTRATOR_DB_URL}'s server. */
    static void prepare(String name) {
        try (Connection server = DriverManager.getConnection("jdbc:" + PostgresDatabase.URL, PostgresDatabase.USERNAME,
                PostgresDatabase.PASSWORD);
                PreparedStatement exists = server.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet found = exists.executeQuery()) {
                if (!found.next()) {
                    try (Statement create = server.createStatement()) {
                        create.executeUpdate("CREATE DATABASE " + name);
                    }
                }
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not create the database " + name + " next to " + PostgresDatabase.URL,
                    failed);
        }
        try (Connection database = DriverManager.getConnection("jdbc:" + urlOf(name), PostgresDatabase.USERNAME,
                PostgresDatabase.PASSWORD); Statement drop = database.createStatement()) {
            drop.executeUpdate("DROP TABLE IF EXISTS retries, replicas, traffic_controls, flyway_schema_history");
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not empty the database " + urlOf(name), failed);
        }
    }

    /** How many retries are stored for an idempotency key, whatever their status. */
    static long rowsFor(String actionId, String originalRunId) {
        try (Connection database = connect();
                PreparedStatement count = database.prepareStatement(
                        "SELECT count(*) FROM retries WHERE action_id = ? AND original_run_id = ?")) {
            count.setString(1, actionId);
            count.setString(2, originalRunId);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not count the retries of " + actionId, failed);
        }
    }

    /** The replica holding the retry's lease ({@code leased_by}), or null when none holds it. */
    static String leaseHolder(String requestId) {
        try (Connection database = connect();
                PreparedStatement holder = database
                        .prepareStatement("SELECT leased_by FROM retries WHERE request_id = ?::uuid")) {
            holder.setString(1, requestId);
            try (ResultSet row = holder.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not read the lease of retry " + requestId, failed);
        }
    }

    /** Whether the replica's heartbeat says that it left, rather than that it may still be alive. */
    static boolean leftOnRecord(String replicaId) {
        try (Connection database = connect();
                PreparedStatement heartbeat = database.prepareStatement(
                        "SELECT heartbeat_at = '-infinity' FROM replicas WHERE replica_id = ?")) {
            heartbeat.setString(1, replicaId);
            try (ResultSet row = heartbeat.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not read the heartbeat of " + replicaId, failed);
        }
    }

    /** Locks the replicas' retries table against writes: see {@link PostgresDatabase#lockAgainstWrites(String)}. */
    static Connection lockAgainstWrites() throws SQLException {
        return PostgresDatabase.lockAgainstWrites(URL);
    }

    /** How many statements starting with {@code sqlStart} wait for a lock in the replicas' database. */
    static long waitingForLock(String sqlStart) {
        return PostgresDatabase.waitingForLock(URL, sqlStart);
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:" + URL, PostgresDatabase.USERNAME, PostgresDatabase.PASSWORD);
    }

    /** The same server, user information and parameters as {@code url}, another database. */
    static String onServerOf(String url, String database) {
        URI server = URI.create(url);
        return server.getScheme() + "://" + server.getRawAuthority() + "/" + database
                + (server.getRawQuery() == null ? "" : "?" + server.getRawQuery());
    }
}
