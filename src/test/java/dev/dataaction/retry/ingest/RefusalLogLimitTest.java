package dev.dataaction.retry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.dataaction.retry.ingest.RefusalLogLimit.Line;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The rule that bounds the log lines refused requests cost, over generated floods. */
class RefusalLogLimitTest {

    @Property
    void eachIntervalLogsItsFirstRefusalsAndSumsUpTheRest(@ForAll @IntRange(min = 1, max = 20) int perInterval,
            @ForAll @Size(max = 5) List<@IntRange(max = 300) Integer> refusalsPerInterval) {
        RefusalLogLimit limit = new RefusalLogLimit(perInterval);

        for (int refusals : refusalsPerInterval) {
            List<Line> lines = new ArrayList<>();
            for (int i = 0; i < refusals; i++) {
                lines.add(limit.refused());
            }
            long summedUp = limit.endInterval();

            int own = Math.min(refusals, perInterval);
            assertThat(lines.subList(0, own)).as("the first refusals have lines of their own")
                    .doesNotContain(Line.SUMMED_UP);
            assertThat(lines.subList(own, refusals)).as("the others do not").doesNotContain(Line.OWN, Line.LAST_OWN);
            assertThat(lines).as("the last own line says that the others are summed up")
                    .filteredOn(line -> line == Line.LAST_OWN).hasSize(refusals >= perInterval ? 1 : 0);
            assertThat(own + summedUp).as("no refusal is left out").isEqualTo(refusals);
        }
    }
}
