package dev.agentflow.processor.agent;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The requests invoked before their record was read (in-process dispatch), by idempotency key, so
 * that reading the record does not invoke them again. An entry whose record never comes here
 * (another instance reads it, or its transaction aborted) is dropped once recorded and older than
 * {@link #KEPT}. Thread-safe.
 */
final class EarlyDispatches {

    /** How long a recorded early invocation waits for its record. */
    static final Duration KEPT = Duration.ofMinutes(10);

    /** A request invoked early; {@code recorded} completes when its result is written. */
    record Early(CompletableFuture<Void> recorded, long startedAtNanos) {
    }

    private final Map<String, Early> started = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    EarlyDispatches(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    EarlyDispatches() {
        this(System::nanoTime);
    }

    /** Registers the request as started early; null when it already is (a decider reprocessing). */
    Early start(String idempotencyKey) {
        Early early = new Early(new CompletableFuture<>(), nanoTime.getAsLong());
        return started.putIfAbsent(idempotencyKey, early) == null ? early : null;
    }

    /** Takes the early invocation of the request whose record was just read, if there was one. */
    Early take(String idempotencyKey) {
        return started.remove(idempotencyKey);
    }

    /** Drops the registration of an early start that did not happen. */
    void cancel(String idempotencyKey) {
        started.remove(idempotencyKey);
    }

    /** Drops the recorded early invocations older than {@link #KEPT}. */
    void evict() {
        long now = nanoTime.getAsLong();
        started.values().removeIf(e -> e.recorded().isDone() && now - e.startedAtNanos() > KEPT.toNanos());
    }

    int size() {
        return started.size();
    }
}
