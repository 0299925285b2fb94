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
            all.add(limit.acquire(Duration.ofMinutes(1)).thenRun(() -> {
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
    void aShareOfTheRateForEachInstanceAndLessThanOneCallALongerWindow() {
        RateLimit half = new RateLimit(new Rate(10, Duration.ofSeconds(1)), () -> 0.5, timer);
        assertThat(half.budget().calls()).isEqualTo(5);
        assertThat(half.budget().window()).isEqualTo(Duration.ofMillis(1020).toNanos());
        // 2 a minute over 3 instances: each one call per 90 s, so 2 a minute in all
        RateLimit third = new RateLimit(new Rate(2, Duration.ofMinutes(1)), () -> 1.0 / 3, timer);
        assertThat(third.budget().calls()).isEqualTo(1);
        assertThat(Duration.ofNanos(third.budget().window())).isBetween(Duration.ofSeconds(91), Duration.ofSeconds(92));
    }

    @Test
    void aCallWhoseTurnComesAfterItsDeadlineFailsAtOnceSayingWhenToTryAgain() {
        RateLimit limit = new RateLimit(new Rate(1, Duration.ofMinutes(1)), () -> 1.0, timer);
        assertThat(limit.acquire(Duration.ofSeconds(1))).isCompleted();

        CompletableFuture<Void> second = limit.acquire(Duration.ofSeconds(1));

        assertThat(second).isCompletedExceptionally();
        Throwable why = second.handle((ok, error) -> error).join();
        assertThat(why).isInstanceOf(RateLimit.Saturated.class);
        assertThat(((RateLimit.Saturated) why).retryAfter()).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(62));
    }

    @Test
    void a429PausesForItsRetryAfterAndHalvesTheRate() {
        RateLimit limit = new RateLimit(new Rate(8, Duration.ofMinutes(1)), () -> 1.0, timer);
        long before = System.nanoTime();
        limit.slowDown(Duration.ofMillis(300));

        List<Long> at = turns(limit, 1);

        assertThat(at.get(0) - before).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(limit.budget().calls()).isEqualTo(4);
        limit.slowDown(null);
        assertThat(limit.budget().calls()).isEqualTo(2);
    }
}
