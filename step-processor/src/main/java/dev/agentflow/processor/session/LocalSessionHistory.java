package dev.agentflow.processor.session;

import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.processor.session.SessionTopology.Progress;
import dev.agentflow.processor.session.SessionTopology.StoredExchange;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.EarlierSteps;
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
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The session history: the run's own earlier steps as they travel with the request
 * ({@link AgentRequest#earlier()}), then the session's earlier runs from this instance's
 * {@link SessionTopology} stores. Every instance runs the session topology under its own
 * application id, so every session is local. Only when a step of this run is neither carried nor
 * certainly stored (a run longer than {@code Limits.earlierStepsCarried()} steps, or a request
 * written before requests carried them) does a request wait for the store, polling from a
 * scheduler (no thread blocks), and fail after a bounded time.
 */
public final class LocalSessionHistory implements SessionHistory {

    static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private final Supplier<ReadOnlyKeyValueStore<String, StoredExchange>> exchanges;
    private final Supplier<ReadOnlyKeyValueStore<String, Progress>> progress;
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;
    private final Function<Payload, CompletableFuture<String>> resolver;
    private final long maxBytes;

    /**
     * @param resolver reads a payload stored by reference
     * @param maxBytes how many bytes of payloads a history tells whole, the latest first
     */
    LocalSessionHistory(Supplier<ReadOnlyKeyValueStore<String, StoredExchange>> exchanges,
                        Supplier<ReadOnlyKeyValueStore<String, Progress>> progress,
                        ScheduledExecutorService scheduler, Duration timeout,
                        Function<Payload, CompletableFuture<String>> resolver, long maxBytes) {
        this.exchanges = exchanges;
        this.progress = progress;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.resolver = resolver;
        this.maxBytes = maxBytes;
    }

    /**
     * @param timeout  how long a request waits for its run's previous step to reach the store
     * @param maxBytes how many bytes of payloads a history tells whole
     *                 ({@code agentflow.sessions.max-history-bytes}); older ones are told by preview
     */
    public static LocalSessionHistory of(StreamsApp sessions, ScheduledExecutorService scheduler, Duration timeout,
                                         PayloadStore payloads, long maxBytes) {
        return new LocalSessionHistory(() -> rebuilt(sessions, SessionTopology.EXCHANGE_STORE),
                () -> rebuilt(sessions, SessionTopology.PROGRESS_STORE), scheduler, timeout, payloads::resolve, maxBytes);
    }

    /**
     * A session store, not queryable while the stores are rebuilt after their local state was lost
     * (as a store being restored from a changelog is not): a session's earlier runs may not be in it yet.
     */
    private static <V> ReadOnlyKeyValueStore<String, V> rebuilt(StreamsApp sessions, String store) {
        if (!sessions.rebuilt()) {
            throw new InvalidStateStoreException("The session stores are being rebuilt from run-events");
        }
        return sessions.store(store, QueryableStoreTypes.<String, V>keyValueStore(), Duration.ZERO);
    }

    @Override
    public CompletableFuture<List<Exchange>> before(AgentRequest request, int limit) {
        if (limit <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (request.sessionId() == null) {
            return tell(carried(request, limit));
        }
        CompletableFuture<List<Exchange>> result = new CompletableFuture<>();
        attempt(request, limit, System.nanoTime() + timeout.toNanos(), result);
        return result;
    }

    private void attempt(AgentRequest request, int limit, long deadline, CompletableFuture<List<Exchange>> result) {
        try {
            Optional<List<StoredExchange>> history = read(request, limit);
            if (history.isPresent()) {
                tell(history.get()).whenComplete((told, error) -> {
                    if (error == null) {
                        result.complete(told);
                    } else {
                        result.completeExceptionally(error);
                    }
                });
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
                    + (fromStore(request) - 1) + " of run " + request.runId()
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
     * An exchange as agents are told it when it is beyond the history's budget: a payload stored by
     * reference appears as its preview and its size.
     */
    static Exchange told(StoredExchange e) {
        return new Exchange(e.runId(), e.stepOrder(), e.agentId(), e.action(),
                e.input() == null ? null : e.input().textOrPreview(),
                e.output() == null ? null : e.output().textOrPreview());
    }

    /**
     * The exchanges (newest first) as agents are told them, oldest first: payloads whole while the
     * history's payloads take at most {@code maxBytes}, the latest first; beyond, a payload stored by
     * reference is told by its preview and size, so a session's history stays bounded however large
     * its steps' payloads were. A payload that cannot be read is told by its preview too.
     */
    private CompletableFuture<List<Exchange>> tell(List<StoredExchange> newestFirst) {
        long[] left = {maxBytes};
        List<CompletableFuture<Exchange>> told = new ArrayList<>();
        for (StoredExchange e : newestFirst) {
            CompletableFuture<String> input = text(e.input(), left);
            CompletableFuture<String> output = text(e.output(), left);
            told.add(input.thenCombine(output, (in, out) -> new Exchange(e.runId(), e.stepOrder(), e.agentId(),
                    e.action(), in, out)));
        }
        Collections.reverse(told);
        return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new))
                .thenApply(done -> told.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<String> text(Payload payload, long[] left) {
        if (payload == null) {
            return CompletableFuture.completedFuture(null);
        }
        long bytes = payload.bytes();
        if (!payload.isRef() || bytes > left[0]) {
            left[0] = Math.max(0, left[0] - bytes);
            return CompletableFuture.completedFuture(payload.textOrPreview());
        }
        left[0] -= bytes;
        return resolver.apply(payload).exceptionally(e -> payload.textOrPreview());
    }

    /**
     * This run's steps below this one come from the store, from step 1 on; with every earlier step
     * carried ({@code first} 1), none do.
     */
    private static int fromStore(AgentRequest request) {
        return request.earlier() == null ? request.stepOrder() : request.earlier().first();
    }

    /** The run's own steps that travel with the request, newest first, at most {@code limit}. */
    static List<StoredExchange> carried(AgentRequest request, int limit) {
        EarlierSteps earlier = request.earlier();
        List<StoredExchange> newestFirst = new ArrayList<>();
        if (earlier == null) {
            return newestFirst;
        }
        List<EarlierSteps.EarlierStep> steps = earlier.steps();
        for (int i = steps.size() - 1; i >= 0 && newestFirst.size() < limit; i--) {
            EarlierSteps.EarlierStep step = steps.get(i);
            Payload input = i == 0 ? earlier.input() : steps.get(i - 1).output();
            newestFirst.add(new StoredExchange(request.runId(), earlier.first() + i, step.agentId(), step.action(),
                    input, step.output()));
        }
        return newestFirst;
    }

    /**
     * The history (newest first): the carried steps, then the store's; empty while a step of this
     * run that did not travel with the request is not stored yet.
     */
    private Optional<List<StoredExchange>> read(AgentRequest request, int limit) {
        int fromStore = fromStore(request);
        if (fromStore > 1) {
            Progress last = progress.get().get(request.runId());
            if (last == null || last.stepOrder() < fromStore - 1) {
                return Optional.empty();
            }
        }
        List<StoredExchange> latest = carried(request, limit);
        if (latest.size() >= limit) {
            return Optional.of(latest);
        }
        // A session lives in one partition (the topology repartitions by session), so the range is in order:
        // read it newest first and stop at the limit.
        try (KeyValueIterator<String, StoredExchange> it = exchanges.get().reverseRange(
                SessionTopology.from(request.sessionId()), SessionTopology.to(request.sessionId()))) {
            while (latest.size() < limit && it.hasNext()) {
                StoredExchange e = it.next().value;
                if (!e.runId().equals(request.runId()) || e.stepOrder() < fromStore) {
                    latest.add(e);
                }
            }
        }
        return Optional.of(latest);
    }
}
