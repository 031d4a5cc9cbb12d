package dev.dataaction.retry.genesys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a {@code Retry-After} header: delay-seconds or an HTTP date (RFC 9110, section 10.2.3). */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");

    @ParameterizedTest(name = "\"{0}\" means {1} s")
    @CsvSource(delimiter = '|', value = { "0|0", "1|1", "3|3", "120|120", "' 7 '|7", "0005|5" })
    void delaySecondsAreRead(String header, long seconds) {
        assertThat(RetryAfter.parse(header, NOW)).contains(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest(name = "\"{0}\" is ignored")
    @NullAndEmptySource
    @ValueSource(strings = { "   ", "-1", "1.5", "abc", "5s", "+5", "Tomorrow", "2026-03-01T10:15:40Z" })
    void absentOrMalformedHeadersAreIgnored(String header) {
        assertThat(RetryAfter.parse(header, NOW)).isEmpty();
    }

    @Test
    void anAbsurdlyLongDelayIsReadAsVeryLongRatherThanIgnored() {
        Optional<Duration> wait = RetryAfter.parse("99999999999999999999999", NOW);

        assertThat(wait).hasValueSatisfying(duration -> assertThat(duration).isGreaterThan(Duration.ofDays(365)));
    }

    @Test
    void imfFixdateInTheFutureIsTheTimeUntilThen() {
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 10:15:42 GMT", NOW)).contains(Duration.ofSeconds(12));
    }

    @Test
    void imfFixdateIsReadWhateverTheCurrentSubSecond() {
        Instant now = NOW.plusMillis(250);
        String inTwoSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).format(NOW.plusSeconds(2));

        assertThat(RetryAfter.parse(inTwoSeconds, now)).contains(Duration.ofMillis(1750));
    }

    @Test
    void dateInThePastMeansNow() {
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 10:15:00 GMT", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).contains(Duration.ZERO);
    }

    @Test
    void dateAtThisVeryInstantMeansNow() {
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 10:15:30 GMT", NOW)).contains(Duration.ZERO);
    }

    /** RFC 9110, section 5.6.7: a recipient MUST accept all three HTTP-date formats. */
    @ParameterizedTest(name = "obsolete format \"{0}\"")
    @ValueSource(strings = { "Sunday, 01-Mar-26 10:15:42 GMT", "Sun Mar  1 10:15:42 2026" })
    void obsoleteHttpDateFormatsAreAccepted(String header) {
        assertThat(RetryAfter.parse(header, NOW)).contains(Duration.ofSeconds(12));
    }
}
