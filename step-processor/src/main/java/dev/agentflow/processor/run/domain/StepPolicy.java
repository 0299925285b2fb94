package dev.agentflow.processor.run.domain;

import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Duration;

/**
 * Retry and timeout settings of a step, from its {@code config}: {@code maxAttempts} (default 3),
 * {@code timeoutMs} (default 5 min), {@code retryBackoffMs} (first backoff, default 1 s; doubled
 * per attempt, at most 5 min).
 */
public record StepPolicy(int maxAttempts, Duration timeout, Duration firstBackoff) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    public static StepPolicy of(StepDefinition step) {
        return new StepPolicy(
                (int) Math.max(1, number(step, "maxAttempts", DEFAULT_MAX_ATTEMPTS)),
                Duration.ofMillis(Math.max(1, number(step, "timeoutMs", DEFAULT_TIMEOUT.toMillis()))),
                Duration.ofMillis(Math.max(0, number(step, "retryBackoffMs", DEFAULT_BACKOFF.toMillis()))));
    }

    /** Backoff before attempt {@code failedAttempt + 1}: exponential, capped. */
    public Duration backoffAfter(int failedAttempt) {
        long millis = firstBackoff.toMillis() << Math.min(20, Math.max(0, failedAttempt - 1));
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    private static long number(StepDefinition step, String key, long fallback) {
        Object value = step.config().get(key);
        return value instanceof Number n ? n.longValue() : fallback;
    }
}
