package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ListIndex;
import dev.agentflow.runtime.kafka.StreamsApp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Pages of a {@link ListIndex} across the partitions of its store: each partition's entries come
 * sorted from a range scan, and the partitions are merged as they are read, so a page costs the
 * entries before it and on it, never the whole list.
 */
public final class IndexPages {

    private static final StringSerializer KEYS = new StringSerializer();
    /** Above every character an entry key holds (UTF-8 EF BF BF sorts after any ASCII byte). */
    private static final String END = "\uffff";

    private final StreamsApp projection;
    private final String indexStore;
    private final String countStore;
    private final String sourceTopic;

    /**
     * The pages of the lists of one {@link ListIndex}.
     *
     * @param sourceTopic the topic whose partitions the index's stores are split by
     */
    public IndexPages(StreamsApp projection, String indexStore, String countStore, String sourceTopic) {
        this.projection = projection;
        this.indexStore = indexStore;
        this.countStore = countStore;
        this.sourceTopic = sourceTopic;
    }

    /**
     * Page {@code page} of {@code list}, oldest first or newest first: the view of each id on it
     * ({@code view} answers null for one to leave out) and the list's total.
     */
    public <V> Page<V> page(String list, boolean newestFirst, int page, int size, Function<String, V> view) {
        long total = count(projection.<Long>keyValueStorePartitions(countStore, sourceTopic), list);
        List<String> ids = ids(projection.<String>keyValueStorePartitions(indexStore, sourceTopic), list, newestFirst,
                page, size);
        return Page.of(ids.stream().map(view).filter(Objects::nonNull).toList(), total, page, size);
    }

    /** The first {@code size} ids of {@code list}, oldest first or newest first. */
    public List<String> ids(String list, boolean newestFirst, int size) {
        return ids(projection.<String>keyValueStorePartitions(indexStore, sourceTopic), list, newestFirst, 0,
                Math.max(size, 1));
    }

    /** How many entries {@code list} has, over every partition. */
    public long total(String list) {
        return count(projection.<Long>keyValueStorePartitions(countStore, sourceTopic), list);
    }

    /**
     * The ids on page {@code page} of {@code size} of {@code list}, oldest first or newest first.
     *
     * @param partitions one store per partition of the index
     */
    public static List<String> ids(List<? extends ReadOnlyKeyValueStore<String, String>> partitions, String list,
                                   boolean newestFirst, int page, int size) {
        String prefix = ListIndex.prefix(list);
        List<KeyValueIterator<String, String>> scans = new ArrayList<>();
        try {
            for (ReadOnlyKeyValueStore<String, String> partition : partitions) {
                scans.add(newestFirst ? partition.reverseRange(prefix, prefix + END)
                        : partition.prefixScan(prefix, KEYS));
            }
            return page(scans, newestFirst, (long) page * size, size);
        } finally {
            scans.forEach(KeyValueIterator::close);
        }
    }

    /** The sum of the list's counts over the partitions. */
    public static long count(List<? extends ReadOnlyKeyValueStore<String, Long>> partitions, String list) {
        long total = 0;
        for (ReadOnlyKeyValueStore<String, Long> partition : partitions) {
            Long n = partition.get(list);
            total += n == null ? 0 : n;
        }
        return total;
    }

    /** Merges sorted scans (all ascending, or all descending), skips {@code skip} entries and takes {@code size}. */
    static List<String> page(List<KeyValueIterator<String, String>> scans, boolean descending, long skip, int size) {
        Comparator<KeyValueIterator<String, String>> byKey = Comparator.comparing(KeyValueIterator::peekNextKey);
        PriorityQueue<KeyValueIterator<String, String>> heads = new PriorityQueue<>(
                descending ? byKey.reversed() : byKey);
        scans.stream().filter(KeyValueIterator::hasNext).forEach(heads::add);
        List<String> ids = new ArrayList<>(size);
        long skipped = 0;
        while (!heads.isEmpty() && ids.size() < size) {
            KeyValueIterator<String, String> head = heads.poll();
            String id = head.next().value;
            if (skipped < skip) {
                skipped++;
            } else {
                ids.add(id);
            }
            if (head.hasNext()) {
                heads.add(head);
            }
        }
        return ids;
    }
}
