package dev.agentflow.projection.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class IndexPagesTest {

    /** A sorted scan of one partition: entries {@code key → key}. */
    private static KeyValueIterator<String, String> scan(String... keys) {
        Iterator<String> it = List.of(keys).iterator();
        return new KeyValueIterator<>() {
            private String next = it.hasNext() ? it.next() : null;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public KeyValue<String, String> next() {
                String key = next;
                next = it.hasNext() ? it.next() : null;
                return KeyValue.pair(key, key);
            }

            @Override
            public String peekNextKey() {
                return next;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void pagesMergeThePartitionsInKeyOrder() {
        assertThat(IndexPages.page(List.of(scan("a", "d", "e"), scan(), scan("b", "c", "f")), false, 0, 4))
                .containsExactly("a", "b", "c", "d");
        assertThat(IndexPages.page(List.of(scan("a", "d", "e"), scan(), scan("b", "c", "f")), false, 4, 4))
                .containsExactly("e", "f");
        assertThat(IndexPages.page(List.of(scan("e", "d", "a"), scan("f", "c", "b")), true, 1, 3))
                .containsExactly("e", "d", "c");
        assertThat(IndexPages.page(List.of(scan("a"), scan("b")), false, 5, 3)).isEmpty();
    }

    @Test
    void aPageReadsOnlyTheEntriesBeforeAndOnIt() {
        int[] read = new int[1];
        KeyValueIterator<String, String> endless = new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public KeyValue<String, String> next() {
                String key = String.format("%09d", read[0]++);
                return KeyValue.pair(key, key);
            }

            @Override
            public String peekNextKey() {
                return String.format("%09d", read[0]);
            }

            @Override
            public void close() {
            }
        };
        assertThat(IndexPages.page(List.of(endless), false, 40, 20)).hasSize(20).first().isEqualTo("000000040");
        assertThat(read[0]).isEqualTo(60);
    }
}
