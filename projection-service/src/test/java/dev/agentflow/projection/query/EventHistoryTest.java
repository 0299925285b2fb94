package dev.agentflow.projection.query;

import static dev.agentflow.projection.query.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.topology.StoredEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventHistoryTest {

    @Test
    void mergesPartitionsByTheInstantEventsOccurredNotByTheirText() {
        StoredEvent later = event(0, 0, 1, "StepStarted", "2026-01-01T00:00:00.123Z");
        StoredEvent earlier = event(1, 0, 1, "RunStarted", "2026-01-01T00:00:00Z");
        StoredEvent last = event(1, 1, 2, "StepStarted", "2026-01-01T00:00:01Z");

        assertThat(EventHistory.merge(List.of(List.of(later), List.of(earlier, last))))
                .containsExactly(earlier, later, last);
    }
}
