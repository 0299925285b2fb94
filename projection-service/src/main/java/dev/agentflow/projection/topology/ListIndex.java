package dev.agentflow.projection.topology;

import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sorted lists of aggregates kept beside their views, in the style of LittleHorse's tag keys: an
 * entry {@code list|createdAt|id} → id per member, in creation order (the keys sort as bytes), and
 * one count per list. A list query is a range scan of its prefix, so its cost depends on the page,
 * not on how many aggregates exist. Used only on the stream thread that owns the stores.
 */
public final class ListIndex {

    /** A key no list can have (lists are named {@code kind:value}): the index covers the views. */
    private static final String FILLED = "#filled";

    private final KeyValueStore<String, String> entries;
    private final KeyValueStore<String, Long> counts;
    private boolean checked;

    public ListIndex(KeyValueStore<String, String> entries, KeyValueStore<String, Long> counts) {
        this.entries = entries;
        this.counts = counts;
    }

    /** The prefix every entry of {@code list} starts with. */
    public static String prefix(String list) {
        return list + "|";
    }

    /** The entry of member {@code id}, created at {@code createdAt}, in {@code list}. */
    public static String entry(String list, Instant createdAt, String id) {
        return prefix(list) + String.format("%019d%09d", createdAt.getEpochSecond(), createdAt.getNano()) + "|" + id;
    }

    public void add(String list, Instant createdAt, String id) {
        String key = entry(list, createdAt, id);
        if (entries.get(key) == null) {
            entries.put(key, id);
            counts.put(list, count(list) + 1);
        }
    }

    public void remove(String list, Instant createdAt, String id) {
        String key = entry(list, createdAt, id);
        if (entries.get(key) != null) {
            entries.delete(key);
            long left = count(list) - 1;
            if (left > 0) {
                counts.put(list, left);
            } else {
                counts.delete(list);
            }
        }
    }

    public long count(String list) {
        Long n = counts.get(list);
        return n == null ? 0 : n;
    }

    /**
     * Indexes the views written before the index existed, once: the first call on a store that is
     * not marked filled indexes every view with {@code index} and marks it; later calls do nothing.
     */
    public <V> void fill(KeyValueStore<String, V> views, Consumer<V> index) {
        if (checked) {
            return;
        }
        if (counts.get(FILLED) == null) {
            try (KeyValueIterator<String, V> all = views.all()) {
                all.forEachRemaining(kv -> index.accept(kv.value));
            }
            counts.put(FILLED, 1L);
        }
        checked = true;
    }
}
