package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cursor of a workflow's runs stream: per partition of the run-events topic, the offset of the
 * last event sent, written {@code 0:17,2:4}. Runs of one workflow live on several partitions and
 * nothing orders events across partitions, but within one partition the offset does, for ever: so
 * this id orders everything the stream sends, survives restarts and rebuilds, and means the same on
 * every instance.
 */
public record PartitionOffsets(Map<Integer, Long> offsets) implements StreamCursor {

    public PartitionOffsets {
        offsets = Map.copyOf(offsets);
    }

    /** Parses a {@code Last-Event-ID}; none (null or blank) covers nothing. */
    public static PartitionOffsets parse(String lastEventId) {
        Map<Integer, Long> offsets = new TreeMap<>();
        if (lastEventId == null || lastEventId.isBlank()) {
            return new PartitionOffsets(offsets);
        }
        for (String part : lastEventId.trim().split(",")) {
            String[] pair = part.split(":");
            try {
                int partition = Integer.parseInt(pair[0]);
                long offset = Long.parseLong(pair[pair.length - 1]);
                if (pair.length != 2 || partition < 0 || offset < 0 || offsets.put(partition, offset) != null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be an id this stream sent, such as 0:17,2:4");
            }
        }
        return new PartitionOffsets(offsets);
    }

    @Override
    public boolean covers(StoredEvent event) {
        return covers(event.partition(), event.offset());
    }

    /** Whether the event at this place of the run-events topic has been sent. */
    public boolean covers(int partition, long offset) {
        return offset <= offsets.getOrDefault(partition, -1L);
    }

    @Override
    public PartitionOffsets after(StoredEvent event) {
        Map<Integer, Long> next = new TreeMap<>(offsets);
        next.put(event.partition(), event.offset());
        return new PartitionOffsets(next);
    }

    @Override
    public String id() {
        return new TreeMap<>(offsets).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
