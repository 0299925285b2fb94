package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.HistoryListener;
import dev.agentflow.projection.topology.StoredEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each run event the projection stores to the live streams that follow its run or its
 * workflow: one in-process fan-out, instead of a Kafka consumer per client. Subscribers are called
 * on the stream thread and must only queue the event; one that throws anyway is dropped, so it can
 * never stop the projection.
 */
public final class EventFeed implements HistoryListener {

    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

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
        deliver(byRun, event.aggregateId(), event);
        if (event.workflowId() != null) {
            deliver(byWorkflow, event.workflowId(), event);
        }
    }

    private static void deliver(Map<String, Set<Consumer<StoredEvent>>> subscribers, String key, StoredEvent event) {
        for (Consumer<StoredEvent> subscriber : subscribers.getOrDefault(key, Set.of())) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("Dropping a subscriber of {} that failed to take event {}", key, event.version(), e);
                unfollow(subscribers, key, subscriber);
            }
        }
    }

    private static Runnable follow(Map<String, Set<Consumer<StoredEvent>>> subscribers, String key,
                                   Consumer<StoredEvent> subscriber) {
        subscribers.compute(key, (k, set) -> {
            Set<Consumer<StoredEvent>> next = set == null ? ConcurrentHashMap.newKeySet() : set;
            next.add(subscriber);
            return next;
        });
        return () -> unfollow(subscribers, key, subscriber);
    }

    private static void unfollow(Map<String, Set<Consumer<StoredEvent>>> subscribers, String key,
                                 Consumer<StoredEvent> subscriber) {
        subscribers.computeIfPresent(key, (k, set) -> {
            set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
    }
}
