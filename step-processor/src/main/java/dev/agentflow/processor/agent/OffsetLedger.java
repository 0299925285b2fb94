package dev.agentflow.processor.agent;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of the agent-requests partitions may be committed: a request's offset only once it
 * is answered and every earlier request of its partition is too, so that after a crash every
 * unanswered request is read again. Offsets are read on the poll thread ({@link #read},
 * {@link #committable}, {@link #forget}); any thread may tell one answered ({@link #answered}).
 */
final class OffsetLedger {

    private record Answered(TopicPartition partition, long offset) {
    }

    /** Per partition, each offset read and not yet committed: answered or not. */
    private final Map<TopicPartition, TreeMap<Long, Boolean>> pending = new HashMap<>();
    private final ConcurrentLinkedQueue<Answered> answered = new ConcurrentLinkedQueue<>();

    /** A record read at {@code offset}: not answered yet. Poll thread only. */
    void read(TopicPartition partition, long offset) {
        pending.computeIfAbsent(partition, k -> new TreeMap<>()).put(offset, false);
    }

    /** The request at {@code offset} is answered (or given up on). Any thread. */
    void answered(TopicPartition partition, long offset) {
        answered.add(new Answered(partition, offset));
    }

    /**
     * Per partition, the offset after the longest prefix of answered requests, taken out of the
     * ledger: what to commit now. Poll thread only.
     */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Answered a;
        while ((a = answered.poll()) != null) {
            TreeMap<Long, Boolean> offsets = pending.get(a.partition());
            if (offsets != null && offsets.containsKey(a.offset())) {
                offsets.put(a.offset(), true);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        pending.forEach((tp, offsets) -> {
            Long next = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                next = offsets.pollFirstEntry().getKey() + 1;
            }
            if (next != null) {
                commit.put(tp, new OffsetAndMetadata(next));
            }
        });
        return commit;
    }

    /** Partitions no longer read here: whoever reads them next starts from their last commit. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(pending::remove);
    }
}
