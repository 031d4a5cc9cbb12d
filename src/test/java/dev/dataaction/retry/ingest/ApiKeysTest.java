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

        assertThat(keys.caller("old-key-1a2b")).isPresent();
        assertThat(keys.caller("new-key-3c4d")).isPresent();
    }

    @Test
    void otherValuesAreRefused() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "old-key-1a2b,new-key-3c4d"));

        assertThat(keys.caller(null)).isEmpty();
        assertThat(keys.caller("")).isEmpty();
        assertThat(keys.caller("old-key")).as("a prefix of a key").isEmpty();
        assertThat(keys.caller("old-key-1a2b,new-key-3c4d")).as("the whole list").isEmpty();
        assertThat(keys.caller("OLD-KEY-1A2B")).isEmpty();
    }

    @Test
    void withoutConfiguredKeysNothingIsAdmitted() {
        ApiKeys keys = keysFrom(Map.of());

        assertThat(keys.caller("anything")).isEmpty();
        assertThat(keys.caller("")).isEmpty();
    }

    @Test
    void disabledAccessControlAdmitsEveryone() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.auth.enabled", "false"));

        assertThat(keys.caller(null)).isPresent();
        assertThat(keys.caller("anything")).isPresent();
    }

    @Test
    void spacesAroundCommasAreNotPartOfTheKeys() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "old-key-1a2b, new-key-3c4d"));

        // HTTP strips leading and trailing whitespace from header values, so a key starting with a space can never match
        assertThat(keys.caller("new-key-3c4d")).isPresent();
    }

    @Test
    void aLabelledKeyIsAdmittedAsItsLabelAndAnUnlabelledOneAsUnlabelled() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "ops=ops-key-1a2b, ci-bot.2=ci-key-3c4d,plain-key-5e6f"));

        // the audit trail names whoever made a change by this label, never by the key
        assertThat(keys.caller("ops-key-1a2b")).contains("ops");
        assertThat(keys.caller("ci-key-3c4d")).contains("ci-bot.2");
        assertThat(keys.caller("plain-key-5e6f")).contains("unlabelled");
    }

    @Test
    void theLabelIsNotPartOfTheKey() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "ops=ops-key-1a2b"));

        assertThat(keys.caller("ops=ops-key-1a2b")).as("the whole entry").isEmpty();
        assertThat(keys.caller("ops")).as("the label alone").isEmpty();
        assertThat(keys.caller("ops-key-1a2b")).contains("ops");
    }

    @Test
    void aBase64KeyEndingInPaddingIsAKeyWithoutALabel() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.api-keys", "abc==,YWJjZGU=,ops=YWJjZA=="));

        // "abc==" is not the key "=" labelled "abc": what follows the first '=' is only more padding
        assertThat(keys.caller("abc==")).contains("unlabelled");
        assertThat(keys.caller("abc")).isEmpty();
        assertThat(keys.caller("=")).isEmpty();
        assertThat(keys.caller("YWJjZGU=")).contains("unlabelled");
        // a labelled key keeps its own padding
        assertThat(keys.caller("YWJjZA==")).contains("ops");
        assertThat(keys.caller("YWJjZA")).isEmpty();
    }

    @Test
    void withAccessControlOffEveryoneCallsAsAnonymous() {
        ApiKeys keys = keysFrom(Map.of("orchestrator.auth.enabled", "false", "orchestrator.api-keys", "ops=ops-key-1a2b"));

        assertThat(keys.caller(null)).contains("anonymous");
        assertThat(keys.caller("anything")).contains("anonymous");
        assertThat(keys.caller("ops-key-1a2b")).as("a key's label is not used while access control is off")
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
