package dev.dataaction.retry.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * Creates the PostgreSQL pool with Quarkus' settings, but with short connection timeouts: when the database cannot be
 * reached, a submission is refused with 503 within {@code orchestrator.postgres.connect-timeout} instead of hanging for
 * the client's default of a minute.
 */
@Singleton
class StorePool implements PgPoolCreator {

    private final OrchestratorConfig config;

    StorePool(OrchestratorConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        long timeoutMillis = config.postgres().connectTimeout().toMillis();
        List<SqlConnectOptions> servers = new ArrayList<>();
        for (PgConnectOptions server : input.pgConnectOptionsList()) {
            servers.add(server.setConnectTimeout((int) timeoutMillis));
        }
        return PgBuilder.pool().with(input.poolOptions().setConnectionTimeout((int) timeoutMillis)
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)).connectingTo(servers).using(input.vertx()).build();
    }
}
