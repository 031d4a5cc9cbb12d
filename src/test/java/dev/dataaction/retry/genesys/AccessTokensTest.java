package dev.dataaction.retry.genesys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The token manager on its own, driven in an order that two event loops produce only now and then: a token Genesys
 * refused is never handed out again. Leaves the stub's usual token cached, as the other tests expect to find it.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class AccessTokensTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    AccessTokens tokens;

    @BeforeEach
    void cacheTheUsualToken() {
        GenesysStub.reset();
        String cached = tokens.accessToken().await().atMost(WAIT);
        if (!GenesysStub.ACCESS_TOKEN.equals(cached)) {
            tokens.refused(cached);
            assertThat(tokens.accessToken().await().atMost(WAIT)).isEqualTo(GenesysStub.ACCESS_TOKEN);
        }
        GenesysStub.server().resetRequests();
    }

    @AfterEach
    void leaveTheUsualTokenCached() {
        cacheTheUsualToken();
    }

    /**
     * Genesys refused the cached token, and another caller's token request took the refresh first but has not yet
     * replaced the cached token (on another event loop, a few microseconds apart): the call that repeats the refused
     * attempt must not get the refused token again, or its repeat is refused too and the retry ends FAILED.
     */
    @Test
    void tokenGenesysRefusedIsNotHandedOutAgainWhileAnotherCallerTakesTheRefresh() {
        String renewed = "renewed-token-" + System.nanoTime();
        GenesysStub.stubToken(GenesysStub.server(), renewed, 86_400);

        tokens.refused(GenesysStub.ACCESS_TOKEN);
        // what the other caller's token request does first: it takes the refresh for itself
        tokens.isForceNewTokens();
        String handedOut = tokens.accessToken().await().atMost(WAIT);

        assertThat(handedOut).isEqualTo(renewed);
        assertThat(GenesysStub.tokenRequests()).isEqualTo(1);
    }

    @Test
    void loginServiceThatHandsOutTheRefusedTokenAgainIsAskedOnce() {
        tokens.refused(GenesysStub.ACCESS_TOKEN);

        assertThat(tokens.accessToken().await().atMost(WAIT)).isEqualTo(GenesysStub.ACCESS_TOKEN);
        assertThat(tokens.accessToken().await().atMost(WAIT)).isEqualTo(GenesysStub.ACCESS_TOKEN);

        assertThat(GenesysStub.tokenRequests()).as("the refusal is settled by the one new token").isEqualTo(1);
    }
}
