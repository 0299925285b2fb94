package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.agents.AgentDefinition.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Acquires {@code n} turns at once; the times (ns) their turns came, in order. */
    private static List<Long> turns(RateLimit limit, int n) {
        List<Long> at = new ArrayList<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(limit.acquire().thenRun(() -> {
                synchronized (at) {
                    at.add(System.nanoTime());
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        return at;
    }

    @Test
    void noMoreThanTheCallsInAnyIntervalAndTheFirstOnesAtOnce() {
        RateLimit limit = new RateLimit(new Rate(5, Duration.ofMillis(200)), () -> 1.0, timer);
        long start = System.nanoTime();

        List<Long> at = turns(limit, 15);

        assertThat(at).hasSize(15);
        assertThat(Duration.ofNanos(at.get(4) - start)).as("the first 5 at once").isLessThan(Duration.ofMillis(150));
        for (int i = 5; i < at.size(); i++) {
            assertThat(at.get(i) - at.get(i - 5)).as("call %d and call %d", i - 5, i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        }
    }

    @Test
    void aShareOfTheRateForEachInstance() {
        RateLimit half = new RateLimit(new Rate(10, Duration.ofMillis(300)), () -> 0.5, timer);
        assertThat(half.allowed()).isEqualTo(5);
        RateLimit none = new RateLimit(new Rate(10, Duration.ofMillis(300)), () -> 0.0, timer);
        assertThat(none.allowed()).as("at least one call per interval").isEqualTo(1);
    }

    @Test
    void a429PausesForItsRetryAfterAndHalvesTheRate() {
        RateLimit limit = new RateLimit(new Rate(8, Duration.ofMinutes(1)), () -> 1.0, timer);
        long before = System.nanoTime();
        limit.slowDown(Duration.ofMillis(300));

        List<Long> at = turns(limit, 1);

        assertThat(at.get(0) - before).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(limit.allowed()).isEqualTo(4);
        limit.slowDown(null);
        assertThat(limit.allowed()).isEqualTo(2);
    }
}
