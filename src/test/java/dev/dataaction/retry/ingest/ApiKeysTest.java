package dev.dataaction.retry.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.Configs;

/**
 * Which {@code X-API-Key} values are admitted. The configuration is read by SmallRye Config from the same text an
 * operator writes into {@code ORCHESTRATOR_API_KEYS}, so list splitting behaves as in production.
 */
class ApiKeysTest {

    @Test
    void bothKeysAreAdmittedDuringARotation() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "old-key-1a2b,new-key-3c4d"));

        assertThat(keys.holder("old-key-1a2b").map(ApiKeys.Holder::label)).isPresent();
        assertThat(keys.holder("new-key-3c4d").map(ApiKeys.Holder::label)).isPresent();
    }

    @Test
    void otherValuesAreRefused() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "old-key-1a2b,new-key-3c4d"));

        assertThat(keys.holder(null).map(ApiKeys.Holder::label)).isEmpty();
        assertThat(keys.holder("").map(ApiKeys.Holder::label)).isEmpty();
        assertThat(keys.holder("old-key").map(ApiKeys.Holder::label)).as("a prefix of a key").isEmpty();
        assertThat(keys.holder("old-key-1a2b,new-key-3c4d").map(ApiKeys.Holder::label)).as("the whole list").isEmpty();
        assertThat(keys.holder("OLD-KEY-1A2B").map(ApiKeys.Holder::label)).isEmpty();
    }

    @Test
    void withoutConfiguredKeysNothingIsAdmitted() {
        ApiKeys keys = keysFrom(Map.of());

        assertThat(keys.holder("anything").map(ApiKeys.Holder::label)).isEmpty();
        assertThat(keys.holder("").map(ApiKeys.Holder::label)).isEmpty();
    }

    @Test
    void disabledAccessControlAdmitsEveryone() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.auth.enabled", "false"));

        assertThat(keys.holder(null).map(ApiKeys.Holder::label)).isPresent();
        assertThat(keys.holder("anything").map(ApiKeys.Holder::label)).isPresent();
    }

    @Test
    void spacesAroundCommasAreNotPartOfTheKeys() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "old-key-1a2b, new-key-3c4d"));

        // HTTP strips leading and trailing whitespace from header values, so a key starting with a space can never match
        assertThat(keys.holder("new-key-3c4d").map(ApiKeys.Holder::label)).isPresent();
    }

    @Test
    void aLabelledKeyIsAdmittedAsItsLabelAndAnUnlabelledOneAsUnlabelled() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "ops=ops-key-1a2b, ci-bot.2=ci-key-3c4d,plain-key-5e6f"));

        // the audit trail names whoever made a change by this label, never by the key
        assertThat(keys.holder("ops-key-1a2b").map(ApiKeys.Holder::label)).contains("ops");
        assertThat(keys.holder("ci-key-3c4d").map(ApiKeys.Holder::label)).contains("ci-bot.2");
        assertThat(keys.holder("plain-key-5e6f").map(ApiKeys.Holder::label)).contains("unlabelled");
    }

    @Test
    void theLabelIsNotPartOfTheKey() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "ops=ops-key-1a2b"));

        assertThat(keys.holder("ops=ops-key-1a2b").map(ApiKeys.Holder::label)).as("the whole entry").isEmpty();
        assertThat(keys.holder("ops").map(ApiKeys.Holder::label)).as("the label alone").isEmpty();
        assertThat(keys.holder("ops-key-1a2b").map(ApiKeys.Holder::label)).contains("ops");
    }

    @Test
    void aBase64KeyEndingInPaddingIsAKeyWithoutALabel() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "abc==,YWJjZGU=,ops=YWJjZA=="));

        // "abc==" is not the key "=" labelled "abc": what follows the first '=' is only more padding
        assertThat(keys.holder("abc==").map(ApiKeys.Holder::label)).contains("unlabelled");
        assertThat(keys.holder("abc").map(ApiKeys.Holder::label)).isEmpty();
        assertThat(keys.holder("=").map(ApiKeys.Holder::label)).isEmpty();
        assertThat(keys.holder("YWJjZGU=").map(ApiKeys.Holder::label)).contains("unlabelled");
        // a labelled key keeps its own padding
        assertThat(keys.holder("YWJjZA==").map(ApiKeys.Holder::label)).contains("ops");
        assertThat(keys.holder("YWJjZA").map(ApiKeys.Holder::label)).isEmpty();
    }

    @Test
    void withAccessControlOffEveryoneCallsAsAnonymous() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.auth.enabled", "false", "orchestrator.api-keys", "ops=ops-key-1a2b"));

        assertThat(keys.holder(null).map(ApiKeys.Holder::label)).contains("anonymous");
        assertThat(keys.holder("anything").map(ApiKeys.Holder::label)).contains("anonymous");
        assertThat(keys.holder("ops-key-1a2b").map(ApiKeys.Holder::label))
                .as("a key's label is not used while access control is off")
                .contains("anonymous");
    }

    @Test
    void aKeyCarriesTheRoleItsEntryGivesAndOperatorByDefault() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys",
                "ops=ops-key-1a2b, watch:viewer=view-key-3c4d, lead:operator=lead-key-5e6f, plain-key-7a8b"));

        assertThat(keys.holder("view-key-3c4d")).get()
                .satisfies(holder -> assertThat(holder.label()).isEqualTo("watch"))
                .satisfies(holder -> assertThat(holder.mayAct()).as("a viewer may not act").isFalse());
        assertThat(keys.holder("lead-key-5e6f")).get().extracting(ApiKeys.Holder::role).isEqualTo(ApiKeys.Role.OPERATOR);
        assertThat(keys.holder("ops-key-1a2b")).get().extracting(ApiKeys.Holder::role).isEqualTo(ApiKeys.Role.OPERATOR);
        assertThat(keys.holder("plain-key-7a8b")).get().extracting(ApiKeys.Holder::role)
                .isEqualTo(ApiKeys.Role.OPERATOR);
        assertThat(keys.holder("watch:viewer=view-key-3c4d")).as("the entry is not the key").isEmpty();
    }

    @Test
    void anUnknownRoleStopsTheStartNamingTheLabelNotTheKey() {
        assertThatThrownBy(() -> keysFrom(Map.of("orchestrator.api-keys", "ops:admin=ops-key-1a2b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ops").hasMessageContaining("'admin'").hasMessageNotContaining("ops-key-1a2b");
    }

    private static ApiKeys keysFrom(Map<String, String> properties) {
        return new ApiKeys(Configs.orchestrator(properties));
    }
}
