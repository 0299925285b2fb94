package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.runtime.kafka.StreamsApp;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import tools.jackson.databind.JsonNode;

/**
 * Reads of the history stores: an aggregate's events in version order, and the events of every run
 * of a workflow in the order each partition of the run-events topic holds them.
 */
public final class EventHistory {

    private static final StringSerializer KEYS = new StringSerializer();

    private final StreamsApp projection;

    public EventHistory(StreamsApp projection) {
        this.projection = projection;
    }

    /** A page of the workflow's envelopes by version; empty when the workflow never existed. */
    public Optional<Page<JsonNode>> ofWorkflow(String workflowId, int page, int size) {
        return page(events(ProjectionTopology.WORKFLOW_HISTORY_STORE, workflowId), page, size);
    }

    /** A page of the run's envelopes by version; empty when the run never existed. */
    public Optional<Page<JsonNode>> ofRun(String runId, int page, int size) {
        return page(events(ProjectionTopology.RUN_HISTORY_STORE, runId), page, size);
    }

    /** Every event of the run, by version. */
    public List<StoredEvent> ofRun(String runId) {
        return events(ProjectionTopology.RUN_HISTORY_STORE, runId);
    }

    /**
     * The events of the workflow's runs that {@code seen} does not cover: per partition in offset
     * order, the partitions merged by the time the events occurred.
     */
    public List<StoredEvent> ofWorkflowRuns(String workflowId, PartitionOffsets seen) {
        ReadOnlyKeyValueStore<String, StoredEvent> runEvents = projection.keyValueStore(
                ProjectionTopology.RUN_HISTORY_STORE);
        Map<Integer, List<StoredEvent>> byPartition = new TreeMap<>();
        // Keys are workflowId|partition|offset: each partition's events come in offset order, and
        // what the client has seen is skipped before its event is read
        String prefix = workflowId + "|";
        try (KeyValueIterator<String, String> index = projection.<String>keyValueStore(
                ProjectionTopology.WORKFLOW_RUN_EVENTS_STORE).prefixScan(prefix, KEYS)) {
            while (index.hasNext()) {
                KeyValue<String, String> entry = index.next();
                String[] at = entry.key.substring(prefix.length()).split("\\|");
                if (seen.covers(Integer.parseInt(at[0]), Long.parseLong(at[1]))) {
                    continue;
                }
                StoredEvent event = runEvents.get(entry.value);
                if (event != null) {
                    byPartition.computeIfAbsent(event.partition(), p -> new ArrayList<>()).add(event);
                }
            }
        }
        return merge(byPartition.values());
    }

    /** Merges partitions, each in offset order, by occurredAt (as instants: the text drops zero fractions). */
    static List<StoredEvent> merge(Collection<List<StoredEvent>> partitions) {
        PriorityQueue<Deque<StoredEvent>> heads = new PriorityQueue<>(Comparator.comparing(
                (Deque<StoredEvent> d) -> Instant.parse(d.peek().envelope().path("occurredAt").asString()))
                .thenComparingInt(d -> d.peek().partition()));
        partitions.forEach(events -> heads.add(new ArrayDeque<>(events)));
        List<StoredEvent> merged = new ArrayList<>();
        while (!heads.isEmpty()) {
            Deque<StoredEvent> head = heads.poll();
            merged.add(head.poll());
            if (!head.isEmpty()) {
                heads.add(head);
            }
        }
        return merged;
    }

    private List<StoredEvent> events(String storeName, String aggregateId) {
        List<StoredEvent> events = new ArrayList<>();
        try (KeyValueIterator<String, StoredEvent> all = projection.<StoredEvent>keyValueStore(storeName)
                .prefixScan(aggregateId + "|", KEYS)) {
            all.forEachRemaining((KeyValue<String, StoredEvent> kv) -> events.add(kv.value));
        }
        return events;
    }

    private static Optional<Page<JsonNode>> page(List<StoredEvent> events, int page, int size) {
        return events.isEmpty() ? Optional.empty()
                : Optional.of(Page.of(events, page, size).map(e -> PayloadLinks.linked(e.envelope())));
    }
}
