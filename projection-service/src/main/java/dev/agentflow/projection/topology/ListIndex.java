package dev.agentflow.projection.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorted lists of aggregates kept beside their views, in the style of LittleHorse's tag keys: an
 * entry {@code list|createdAt|id} → id per member, in creation order (the keys sort as bytes), and
 * one count per list. A list query is a range scan of its prefix, so its cost depends on the page,
 * not on how many aggregates exist. Used only on the stream thread that owns the stores.
 */
public final class ListIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ListIndex.class);
    /**
     * A key no entry can have (entries start with a list's name): the index covers the views. Its
     * number goes up when a new kind of list is added (2: a workflow's runs in a status), so that an
     * index filled before is filled again, adding the new lists' entries (adding is idempotent).
     */
    private static final String FILLED = "#filled:2";

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
     * Once per task, as it starts: indexes the views written before the index existed (the first
     * time only: a mark, written in the entries' own store after them, says it is done), then sets
     * each list's count to the number of its entries. The projection runs at-least-once, so a crash
     * can leave an entry's changelog record written and its count's not; counting again at start
     * heals that, at the cost of one pass over the entries.
     */
    public <V> void fill(KeyValueStore<String, V> views, Consumer<V> index) {
        if (checked) {
            return;
        }
        if (entries.get(FILLED) == null) {
            try (KeyValueIterator<String, V> all = views.all()) {
                while (all.hasNext()) {
                    var view = all.next();
                    try {
                        index.accept(view.value);
                    } catch (RuntimeException e) {
                        LOG.warn("Could not index the view {}; it stays out of the lists", view.key, e);
                    }
                }
            }
            entries.put(FILLED, FILLED);
        }
        recount();
        checked = true;
    }

    /** Sets every list's count to the number of its entries. */
    void recount() {
        long start = System.nanoTime();
        Map<String, Long> counted = new HashMap<>();
        try (KeyValueIterator<String, String> all = entries.all()) {
            all.forEachRemaining(kv -> {
                int end = kv.key.indexOf('|');
                if (!kv.key.startsWith("#") && end > 0) {
                    counted.merge(kv.key.substring(0, end), 1L, Long::sum);
                }
            });
        }
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = counts.all()) {
            all.forEachRemaining(kv -> {
                if (!counted.containsKey(kv.key)) {
                    gone.add(kv.key);
                }
            });
        }
        gone.forEach(counts::delete);
        int[] corrected = {gone.size()};
        counted.forEach((list, n) -> {
            if (!n.equals(counts.get(list))) {
                counts.put(list, n);
                corrected[0]++;
            }
        });
        LOG.info("Counted the entries of {} list(s) in {} ms; {} count(s) corrected", counted.size(),
                (System.nanoTime() - start) / 1_000_000, corrected[0]);
    }
}
