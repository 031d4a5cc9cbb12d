package dev.dataaction.retry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;

/** Which failures of the database are an outage to wait out, and which would fail the same way on every try. */
class StoreFailuresTest {

    @ParameterizedTest
    @ValueSource(strings = { "08006", "08001", "40001", "40P01", "53300", "57P01", "57014", "58030", "55P03" })
    void aFailureThatCanPassIsTransient(String sqlState) {
        assertThat(StoreFailures.isTransient(answered(sqlState))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "22P05", "22021", "22001", "23505", "23514", "42P01", "42703", "XX000" })
    void aFailureThatWouldHappenAgainIsNoOutage(String sqlState) {
        assertThat(StoreFailures.isTransient(answered(sqlState))).isFalse();
        assertThat(StoreFailures.sqlStateOf(answered(sqlState))).isEqualTo(sqlState);
    }

    @ParameterizedTest
    @ValueSource(classes = { StoreTimeout.class, VertxException.class, IOException.class })
    void noAnswerAtAllIsTransient(Class<?> kind) {
        Throwable failure = kind == StoreTimeout.class ? new StoreTimeout(java.time.Duration.ofSeconds(1))
                : kind == VertxException.class ? new VertxException("Connection is closed", true)
                        : new IOException("Connection refused");
        assertThat(StoreFailures.isTransient(failure)).isTrue();
        assertThat(StoreFailures.sqlStateOf(failure)).isEqualTo("none");
    }

    private static PgException answered(String sqlState) {
        return new PgException("refused", "ERROR", sqlState, null);
    }
}
