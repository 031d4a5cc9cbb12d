package dev.dataaction.retry.architect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code $esc} tool of Genesys Cloud's Data Action templates, for rendering the actions of {@code deploy/genesys} as
 * Genesys renders them. Only the methods the actions use are here. A {@code null} argument gives {@code null}, so that
 * Velocity writes the reference as it stands, which is what an unset input does in Genesys too.
 */
public final class GenesysEscapes {

    /**
     * Escapes text for the inside of a JSON string: the rules of Apache Commons' JSON escaping, which Genesys' tool
     * follows. {@code "}, {@code \} and {@code /} get a backslash; backspace, tab, line feed, form feed and carriage
     * return their short escapes; every other character outside printable ASCII (U+0020 to U+007E) becomes
     * {@code \}{@code uXXXX} in upper-case hex, a character beyond the Basic Multilingual Plane as its two surrogates.
     * The result is plain ASCII whatever the text.
     */
    public String jsonString(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> escaped.append("\\\"");
                case '\\' -> escaped.append("\\\\");
                case '/' -> escaped.append("\\/");
                case '\b' -> escaped.append("\\b");
                case '\t' -> escaped.append("\\t");
                case '\n' -> escaped.append("\\n");
                case '\f' -> escaped.append("\\f");
                case '\r' -> escaped.append("\\r");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        escaped.append(String.format("\\u%04X", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }

    /**
     * Encodes text for a URL as an HTML form does ({@code application/x-www-form-urlencoded}, UTF-8): letters, digits and
     * {@code . - * _} stay, a space becomes {@code +}, every other byte {@code %XX}. Genesys documents {@code $esc.url} as
     * its form encoding.
     */
    public String url(Object value) {
        return value == null ? null : URLEncoder.encode(value.toString(), StandardCharsets.UTF_8);
    }
}
