package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.HistoryListener;
import dev.agentflow.projection.topology.StoredEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Hands each run event the projection stores to the live streams that follow its run or its
 * workflow: one in-process fan-out, instead of a Kafka consumer per client. Subscribers are called
 * on the stream thread and must only queue the event.
 */
public final class EventFeed implements HistoryListener {

    private final Map<String, Set<Consumer<StoredEvent>>> byRun = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<StoredEvent>>> byWorkflow = new ConcurrentHashMap<>();

    /** Follows one run; the returned action stops it. */
    public Runnable followRun(String runId, Consumer<StoredEvent> subscriber) {
        return follow(byRun, runId, subscriber);
    }

    /** Follows every run of one workflow; the returned action stops it. */
    public Runnable followWorkflowRuns(String workflowId, Consumer<StoredEvent> subscriber) {
        return follow(byWorkflow, workflowId, subscriber);
    }

    @Override
    public void appended(StoredEvent event) {
        byRun.getOrDefault(event.aggregateId(), Set.of()).forEach(s -> s.accept(event));
        if (event.workflowId() != null) {
            byWorkflow.getOrDefault(event.workflowId(), Set.of()).forEach(s -> s.accept(event));
        }
    }

    private static Runnable follow(Map<String, Set<Consumer<StoredEvent>>> subscribers, String key,
                                   Consumer<StoredEvent> subscriber) {
        subscribers.compute(key, (k, set) -> {
            Set<Consumer<StoredEvent>> next = set == null ? ConcurrentHashMap.newKeySet() : set;
            next.add(subscriber);
            return next;
        });
        return () -> subscribers.computeIfPresent(key, (k, set) -> {
            set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
    }
}
