package dev.agentflow.projection.query;

import static dev.agentflow.projection.query.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.topology.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventFeedTest {

    @Test
    void dropsASubscriberThatThrowsAndKeepsFeedingTheOthers() {
        EventFeed feed = new EventFeed();
        AtomicInteger failingCalls = new AtomicInteger();
        List<Long> run = new ArrayList<>();
        List<Long> workflow = new ArrayList<>();
        feed.followRun("wr-1", e -> {
            failingCalls.incrementAndGet();
            throw new RejectedExecutionException("shut down");
        });
        feed.followRun("wr-1", e -> run.add(e.version()));
        feed.followWorkflowRuns("wf-1", e -> workflow.add(e.version()));

        for (StoredEvent event : List.of(event(1), event(2))) {
            feed.appended(event);
        }

        assertThat(failingCalls).hasValue(1);
        assertThat(run).containsExactly(1L, 2L);
        assertThat(workflow).containsExactly(1L, 2L);
    }
}
