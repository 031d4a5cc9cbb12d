package dev.dataaction.retry.architect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The stand-in for Genesys' {@code $esc} escapes as Apache Commons' JSON escaping does, so that the actions' tests
 * render what Genesys would send.
 */
class GenesysEscapesTest {

    private final GenesysEscapes esc = new GenesysEscapes();

    @Test
    void jsonStringEscapesQuotesBackslashesSlashesAndControlCharacters() {
        assertThat(esc.jsonString("say \"hi\"")).isEqualTo("say \\\"hi\\\"");
        assertThat(esc.jsonString("C:\\temp")).isEqualTo("C:\\\\temp");
        assertThat(esc.jsonString("a/b")).isEqualTo("a\\/b");
        assertThat(esc.jsonString("\b\t\n\f\r")).isEqualTo("\\b\\t\\n\\f\\r");
        assertThat(esc.jsonString("\u0000\u0001\u001f")).isEqualTo("\\u0000\\u0001\\u001F");
    }

    @Test
    void jsonStringWritesEverythingOutsidePrintableAsciiAsUnicodeEscapes() {
        assertThat(esc.jsonString("Zoë ü")).isEqualTo("Zo\\u00EB \\u00FC");
        assertThat(esc.jsonString("\u007f")).isEqualTo("\\u007F");
        assertThat(esc.jsonString("😀")).as("beyond the BMP: both surrogates").isEqualTo("\\uD83D\\uDE00");
        assertThat(esc.jsonString(" ~'<>&#$")).as("printable ASCII stays").isEqualTo(" ~'<>&#$");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "plain", "Zoë 😀 ü", "say \"hi\" \\ / end", "line one\nline two\r\n\ttab",
            "\u0000\u007f\u2028\u2029", "$esc #if(true) ${input.x}" })
    void jsonStringInQuotesIsAJsonStringOfTheSameText(String text) throws Exception {
        String quoted = "\"" + esc.jsonString(text) + "\"";

        assertThat(quoted).matches("[\\x20-\\x7e]*");
        assertThat(new ObjectMapper().readValue(quoted, String.class)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "6f1c2a9e-3b7d-4c1e-9a55-0d2f6b8e4a10|6f1c2a9e-3b7d-4c1e-9a55-0d2f6b8e4a10",
            "a b|a+b",
            "a/b?c=d&e#f|a%2Fb%3Fc%3Dd%26e%23f",
            "Zoë|Zo%C3%AB" })
    void urlEncodesAsAForm(String text, String encoded) {
        assertThat(esc.url(text)).isEqualTo(encoded);
        assertThat(URI.create("http://host/v1/retries/" + esc.url(text)).getRawPath())
                .as("one path segment").isEqualTo("/v1/retries/" + encoded);
    }

    @Test
    void nullStaysNullSoThatVelocityWritesTheReference() {
        assertThat(esc.jsonString(null)).isNull();
        assertThat(esc.url(null)).isNull();
    }
}
