package dev.dataaction.retry.faults;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Request bodies as careless and hostile callers send them: valid retry requests next to JSON of the wrong shape, wrong
 * types, nulls, extra and repeated fields, deep nesting, huge and strange strings (control characters, lone surrogates,
 * raw and escaped), numbers no type can hold, truncated JSON and bytes that are not UTF-8. Bodies stay under the 1 MiB
 * body limit, whose 413 is tested elsewhere.
 *
 * <p>
 * No generated text contains what the tests look for as a sign of a leaked stack trace ({@code at dev.},
 * {@code Exception}, {@code java.}), since an accepted retry's answer repeats its actionId and originalRunId.
 */
final class HostileJson {

    /** The largest body generated; the application's limit is 1 MiB. */
    static final int MAX_BODY_BYTES = 1_000_000;

    private static final List<String> STACK_TRACE_MARKERS = List.of("at dev.", "Exception", "java.");

    private static final List<String> NASTY_TEXT = List.of("", " ", "\t\n", "\u0000", "\u202Eevil", "a\u0301",
            "\uFEFF", "\uD83D\uDE00", "\uDBFF\uDFFF", "\uDE00\uD83D", "null", "true", "<script>alert(1)</script>",
            "' OR 1=1 --", "${jndi:ldap://x/a}", "%s%n%x", "../../etc/passwd", "\\", "\"", "\u2028\u2029", "\uFFFF",
            "\uFFFE", "a".repeat(128), "a".repeat(129), "r".repeat(256), "r".repeat(257));

    private static final List<String> ODD_BODIES = List.of("", " ", "\n", "{", "}", "[]", "{}", "[{}]", "null", "0", "\"\"",
            "{\"actionId\":", "{}{}", "{} []", "// comment\n{}", "/* c */{}", "{'actionId':'a'}", "{actionId:1}",
            "{\"actionId\":\"a\",}", "[1,]", "{\"a\":1 \"b\":2}", "\u0000", "NaN", "{\"requestPayload\":{\"a\":NaN}}");

    /** Numbers that are valid JSON but fit no Java number, or only just. */
    private static final List<String> EXTREME_NUMBERS = List.of("1e999", "-1e999", "1e-999", "-0", "0.1e+1", "1E400",
            "9223372036854775808", "-9223372036854775809", "1.7976931348623157e309", "4.9e-325",
            "123456789012345678901234567890.5e-12", "-0.0e-0");

    /** Tokens that are not JSON: bare words, numbers JSON does not allow, strings with escapes it does not have. */
    private static final List<String> BROKEN_TOKENS = List.of("nul", "True", "undefined", "01", "1.", ".5", "+1", "NaN",
            "-Infinity", "0x10", "1_000", "'single'", "\"\\x41\"", "\"\\u12G4\"", "\"\u0001\"", "\"\\U0041\"",
            "\"unterminated\\\"", "\"\\");

    /** How a string is written into JSON. */
    enum Escaping {
        /** Only quotes, backslashes and control characters are escaped; everything else is sent raw. */
        MINIMAL,
        /** Everything outside ASCII is written as {@code \\uXXXX}, lone surrogates included. */
        UNICODE
    }

    /**
     * A body as it is sent, with a short description for the report of a failing property.
     *
     * @param items the number of items of a batch that is a well-formed JSON array, otherwise -1
     */
    record Body(String kind, byte[] bytes, int items) {

        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            String preview = text.length() > 300 ? text.substring(0, 300) + "…" : text;
            return kind + " (" + bytes.length + " bytes, items " + items + "): " + preview;
        }
    }

    private HostileJson() {
    }

    /** Bodies for {@code POST /v1/retries}; valid requests name actions that start with {@code actionPrefix}. */
    static Arbitrary<Body> singleRequestBodies(String actionPrefix) {
        Arbitrary<Body> json = Arbitraries.frequencyOf(
                Tuple.of(8, retryRequest(actionPrefix).map(text -> body("request", text, -1))),
                Tuple.of(2, value(3).map(text -> body("any JSON", text, -1))),
                Tuple.of(1, deepNesting().map(text -> body("deep nesting", text, -1))),
                Tuple.of(1, requestWithHugeString(actionPrefix).map(text -> body("huge string", text, -1))),
                Tuple.of(1, Arbitraries.of(ODD_BODIES).map(text -> body("odd body", text, -1))));
        return mangled(json).filter(body -> body.bytes().length <= MAX_BODY_BYTES);
    }

    /** Bodies for {@code POST /v1/retries/batch}; valid items name actions that start with {@code actionPrefix}. */
    static Arbitrary<Body> batchBodies(String actionPrefix) {
        Arbitrary<String> item = Arbitraries.frequencyOf(Tuple.of(6, retryRequest(actionPrefix)), Tuple.of(2, value(2)));
        Arbitrary<Body> json = Arbitraries.frequencyOf(
                Tuple.of(8, item.list().ofMaxSize(12)
                        .map(items -> body("batch", "[" + String.join(",", items) + "]", items.size()))),
                Tuple.of(1, Arbitraries.integers().between(101, 150)
                        .map(count -> body("batch over the limit",
                                "[" + String.join(",", Collections.nCopies(count, "{}")) + "]",
                                count))),
                Tuple.of(2, value(3).filter(text -> !text.startsWith("[")).map(text -> body("not an array", text, -1))),
                Tuple.of(1, deepNesting().map(text -> body("deep nesting", text, -1))),
                Tuple.of(1, Arbitraries.of(ODD_BODIES).map(text -> body("odd body", text, -1))));
        return mangled(json).filter(body -> body.bytes().length <= MAX_BODY_BYTES);
    }

    /** Whether an answer's text shows a stack trace or an exception's name. */
    static boolean looksLikeAStackTrace(String text) {
        return STACK_TRACE_MARKERS.stream().anyMatch(text::contains);
    }

    /** An object with the three fields in any order, each valid, of the wrong type, hostile or absent, and extra fields. */
    private static Arbitrary<String> retryRequest(String actionPrefix) {
        Arbitrary<Optional<String>> actionId = member("actionId", Arbitraries.frequencyOf(
                Tuple.of(6, validActionId(actionPrefix).map(id -> quote(id, Escaping.MINIMAL))),
                Tuple.of(2, jsonString()),
                Tuple.of(1, value(2))));
        Arbitrary<Optional<String>> originalRunId = member("originalRunId", Arbitraries.frequencyOf(
                Tuple.of(6, validRunId().map(id -> quote(id, Escaping.MINIMAL))),
                Tuple.of(2, jsonString()),
                Tuple.of(1, value(2))));
        Arbitrary<Optional<String>> payload = member("requestPayload", Arbitraries.frequencyOf(
                Tuple.of(6, object(value(2))),
                Tuple.of(1, nestedPayload()),
                Tuple.of(2, value(2))));
        // repeated fields included: a second actionId, for one
        Arbitrary<String> extraKey = Arbitraries.of("actionId", "originalRunId", "requestPayload", "status", "requestId",
                "__proto__", "").map(key -> quote(key, Escaping.MINIMAL));
        Arbitrary<List<String>> extras = Combinators.combine(extraKey, value(1)).as((key, value) -> key + ":" + value)
                .list().ofMaxSize(3);
        return Combinators.combine(actionId, originalRunId, payload, extras).as((a, r, p, more) -> {
            List<String> members = new ArrayList<>();
            a.ifPresent(members::add);
            r.ifPresent(members::add);
            p.ifPresent(members::add);
            members.addAll(more);
            return members;
        }).flatMap(Arbitraries::shuffle).map(members -> "{" + String.join(",", members) + "}");
    }

    /** Any JSON value, nested up to {@code depth}; a scalar now and then is not JSON. */
    private static Arbitrary<String> value(int depth) {
        if (depth == 0) {
            return scalar();
        }
        return Arbitraries.frequencyOf(Tuple.of(3, scalar()),
                Tuple.of(1, value(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]")),
                Tuple.of(1, object(value(depth - 1))));
    }

    /** A JSON scalar; one in about thirty is not JSON. */
    private static Arbitrary<String> scalar() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("null", "true", "false")), Tuple.of(8, number()),
                Tuple.of(16, jsonString()), Tuple.of(1, Arbitraries.of(BROKEN_TOKENS)));
    }

    private static Arbitrary<String> object(Arbitrary<String> values) {
        return Combinators.combine(jsonString(), values).as((key, value) -> key + ":" + value).list().ofMaxSize(4)
                .map(members -> "{" + String.join(",", members) + "}");
    }

    private static Arbitrary<String> number() {
        // the parser refuses numbers of more than 1,000 digits
        return Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf), Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.of(EXTREME_NUMBERS),
                Arbitraries.integers().between(20, 1_100).map("9"::repeat));
    }

    /** A JSON string of hostile text, escaped one way or another. */
    private static Arbitrary<String> jsonString() {
        return Combinators.combine(text(), Arbitraries.of(Escaping.class)).as(HostileJson::quote);
    }

    private static Arbitrary<String> text() {
        return Arbitraries.frequencyOf(
                // every character of the basic plane: controls, lone surrogates, private use, non-characters
                Tuple.of(4, Arbitraries.strings().all().ofMaxLength(30)),
                Tuple.of(2, Arbitraries.strings().withCharRange('\uD800', '\uDFFF').ofMinLength(1).ofMaxLength(3)),
                Tuple.of(3, Arbitraries.of(NASTY_TEXT)),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars('-').ofMaxLength(20)))
                .filter(text -> !looksLikeAStackTrace(text));
    }

    private static Arbitrary<String> validActionId(String prefix) {
        return Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(20)
                .map(suffix -> prefix + suffix);
    }

    private static Arbitrary<String> validRunId() {
        return Arbitraries.strings().withCharRange('!', '~').withCharRange('\u00A0', '\u07FF').ofMinLength(1)
                .ofMaxLength(40).filter(id -> !id.isBlank() && !looksLikeAStackTrace(id));
    }

    /** A payload nested around the parser's depth limit of 1,000. */
    private static Arbitrary<String> nestedPayload() {
        return Arbitraries.integers().between(900, 1_100).map(depth -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
    }

    /** Arrays or objects nested up to a few thousand levels, closed or not. */
    private static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 5_000), Arbitraries.of("[", "{\"a\":"),
                Arbitraries.of(true, false)).as((depth, open, closed) -> {
                    String close = open.equals("[") ? "]" : "}";
                    return open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
                });
    }

    /** A valid request but for a string of 100 kB to 900 kB where a short one belongs. */
    private static Arbitrary<String> requestWithHugeString(String actionPrefix) {
        Arbitrary<String> huge = Combinators.combine(Arbitraries.integers().between(100_000, 225_000),
                Arbitraries.of("x", "é", "\u20AC", "\uD83D\uDE00")).as((count, unit) -> unit.repeat(count));
        return Combinators.combine(validActionId(actionPrefix), huge, Arbitraries.of("originalRunId", "payload", "key"))
                .as((actionId, text, where) -> switch (where) {
                    case "originalRunId" -> "{\"actionId\":\"" + actionId + "\",\"originalRunId\":" + quote(text,
                            Escaping.MINIMAL) + ",\"requestPayload\":{}}";
                    case "payload" -> "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"huge\",\"requestPayload\":"
                            + "{\"note\":" + quote(text, Escaping.MINIMAL) + "}}";
                    default -> "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"huge-key\",\"requestPayload\":{"
                            + quote(text, Escaping.MINIMAL) + ":1}}";
                });
    }

    private static Arbitrary<Optional<String>> member(String name, Arbitrary<String> values) {
        return Arbitraries.frequencyOf(Tuple.of(8, values.map(value -> Optional.of("\"" + name + "\":" + value))),
                Tuple.of(1, Arbitraries.just(Optional.of("\"" + name + "\":null"))),
                Tuple.of(1, Arbitraries.just(Optional.<String> empty())));
    }

    /** Sends most bodies as they are, and some cut short, with bytes that are not UTF-8, or in another encoding. */
    private static Arbitrary<Body> mangled(Arbitrary<Body> bodies) {
        Arbitrary<UnaryOperator<Body>> mangling = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(UnaryOperator.identity())),
                Tuple.of(1, Arbitraries.doubles().between(0.01, 0.99).withoutEdgeCases().map(where -> body -> new Body(
                        body.kind() + ", cut short", Arrays.copyOf(body.bytes(), (int) (body.bytes().length * where)),
                        -1))),
                Tuple.of(1, Arbitraries.doubles().between(0, 1).withoutEdgeCases().map(where -> body -> new Body(
                        body.kind() + ", not UTF-8", splice(body.bytes(), (int) (body.bytes().length * where),
                                new byte[] { (byte) 0xFF, (byte) 0xC0, (byte) 0xAF, (byte) 0x80, (byte) 0xF8 }),
                        -1))),
                Tuple.of(1, Arbitraries.just(body -> new Body(body.kind() + ", UTF-16",
                        new String(body.bytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16), -1))),
                Tuple.of(1, Arbitraries.just(body -> new Body(body.kind() + ", with a byte order mark",
                        splice(body.bytes(), 0, new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }), -1))));
        return Combinators.combine(bodies, mangling).as((body, mangle) -> mangle.apply(body));
    }

    private static Body body(String kind, String json, int items) {
        return new Body(kind, wtf8(json), items);
    }

    /** Writes text as a JSON string; lone surrogates stay lone, raw or escaped. */
    private static String quote(String text, Escaping escaping) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || (escaping == Escaping.UNICODE && c > 0x7E)) {
                quoted.append(String.format("\\u%04X", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * UTF-8, except that a lone surrogate is written as the three bytes UTF-8 would give its code unit, which no UTF-8
     * decoder accepts; Java's own encoder would quietly replace it with {@code ?}.
     */
    private static byte[] wtf8(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.writeBytes(text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else if (Character.isSurrogate(c)) {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    private static byte[] splice(byte[] bytes, int at, byte[] inserted) {
        byte[] spliced = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, spliced, 0, at);
        System.arraycopy(inserted, 0, spliced, at, inserted.length);
        System.arraycopy(bytes, at, spliced, at + inserted.length, bytes.length - at);
        return spliced;
    }
}
