package dev.agentflow.processor.session;

import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.processor.session.SessionTopology.Progress;
import dev.agentflow.processor.session.SessionTopology.StoredExchange;
import dev.agentflow.schemas.kafka.StreamsApp;
import dev.agentflow.schemas.run.AgentRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The session history read from this instance's {@link SessionTopology} stores. Every instance runs
 * the session topology under its own application id, so every session is local. The previous step
 * of a run is committed together with the request for the next one, but the session topology may
 * not have stored it yet: a request waits for it, polling from a scheduler (no thread blocks), and
 * fails after a bounded time.
 */
public final class LocalSessionHistory implements SessionHistory {

    static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private final Supplier<ReadOnlyKeyValueStore<String, StoredExchange>> exchanges;
    private final Supplier<ReadOnlyKeyValueStore<String, Progress>> progress;
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;

    LocalSessionHistory(Supplier<ReadOnlyKeyValueStore<String, StoredExchange>> exchanges,
                        Supplier<ReadOnlyKeyValueStore<String, Progress>> progress,
                        ScheduledExecutorService scheduler, Duration timeout) {
        this.exchanges = exchanges;
        this.progress = progress;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** @param timeout how long a request waits for its run's previous step to reach the store */
    public static LocalSessionHistory of(StreamsApp sessions, ScheduledExecutorService scheduler, Duration timeout) {
        return new LocalSessionHistory(
                () -> sessions.store(SessionTopology.EXCHANGE_STORE, QueryableStoreTypes.keyValueStore(), Duration.ZERO),
                () -> sessions.store(SessionTopology.PROGRESS_STORE, QueryableStoreTypes.keyValueStore(), Duration.ZERO),
                scheduler, timeout);
    }

    @Override
    public CompletableFuture<List<Exchange>> before(AgentRequest request, int limit) {
        if (limit <= 0 || request.sessionId() == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<List<Exchange>> result = new CompletableFuture<>();
        attempt(request, limit, System.nanoTime() + timeout.toNanos(), result);
        return result;
    }

    private void attempt(AgentRequest request, int limit, long deadline, CompletableFuture<List<Exchange>> result) {
        try {
            Optional<List<Exchange>> history = read(request, limit);
            if (history.isPresent()) {
                result.complete(history.get());
                return;
            }
        } catch (InvalidStateStoreException e) {
            // the stores are starting or rebalancing: try again
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        if (System.nanoTime() - deadline > 0) {
            result.completeExceptionally(new TimeoutException("session " + request.sessionId() + ": step "
                    + (request.stepOrder() - 1) + " of run " + request.runId()
                    + " was not in the session store within " + timeout));
            return;
        }
        try {
            scheduler.schedule(() -> attempt(request, limit, deadline, result), POLL_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * An exchange as agents are told it: a payload stored by reference (over
     * {@code agentflow.limits.inline-payload-bytes}) appears as its preview and its size, so that a
     * session's history stays bounded however large its steps' payloads were.
     */
    static Exchange told(StoredExchange e) {
        return new Exchange(e.runId(), e.stepOrder(), e.agentId(), e.action(),
                e.input() == null ? null : e.input().textOrPreview(),
                e.output() == null ? null : e.output().textOrPreview());
    }

    /** The history, or empty while the run's previous step is not stored yet. */
    private Optional<List<Exchange>> read(AgentRequest request, int limit) {
        if (request.stepOrder() > 1) {
            Progress last = progress.get().get(request.runId());
            if (last == null || last.stepOrder() < request.stepOrder() - 1) {
                return Optional.empty();
            }
        }
        // A session lives in one partition (the topology repartitions by session), so the range is in order:
        // read it newest first and stop at the limit.
        List<Exchange> latest = new ArrayList<>();
        try (KeyValueIterator<String, StoredExchange> it = exchanges.get().reverseRange(
                SessionTopology.from(request.sessionId()), SessionTopology.to(request.sessionId()))) {
            while (latest.size() < limit && it.hasNext()) {
                StoredExchange e = it.next().value;
                if (!e.runId().equals(request.runId()) || e.stepOrder() < request.stepOrder()) {
                    latest.add(told(e));
                }
            }
        }
        Collections.reverse(latest);
        return Optional.of(List.copyOf(latest));
    }
}
