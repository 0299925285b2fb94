package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EarlyDispatchesTest {

    private final AtomicLong now = new AtomicLong();
    private final EarlyDispatches early = new EarlyDispatches(now::get);

    @Test
    void aRequestStartsEarlyOnceAndItsRecordTakesIt() {
        EarlyDispatches.Early started = early.start("wr-1:1:1");
        assertThat(started).isNotNull();
        assertThat(early.start("wr-1:1:1")).as("decided again after an aborted transaction").isNull();

        assertThat(early.take("wr-1:1:1")).isSameAs(started);
        assertThat(early.take("wr-1:1:1")).as("the record is read once").isNull();
    }

    @Test
    void aRecordedEarlyCallWhoseRecordNeverComesIsDroppedAfterItsTime() {
        EarlyDispatches.Early recorded = early.start("wr-1:1:1");
        EarlyDispatches.Early running = early.start("wr-2:1:1");
        recorded.recorded().complete(null);

        now.addAndGet(EarlyDispatches.KEPT.toNanos() - 1);
        early.evict();
        assertThat(early.size()).isEqualTo(2);

        now.addAndGet(2);
        early.evict();
        assertThat(early.size()).as("a call still running is kept").isEqualTo(1);
        assertThat(early.take("wr-2:1:1")).isSameAs(running);
    }

    @Test
    void aCancelledStartCanBeStartedAgain() {
        early.start("wr-1:1:1");
        early.cancel("wr-1:1:1");
        assertThat(early.start("wr-1:1:1")).isNotNull();
    }
}
