package dev.agentflow.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WriteAheadLoggedRocksDBStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RebuiltStoresTest {

    @TempDir
    Path stateDir;

    private MockProcessorContext<Object, Object> context() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "rebuilt-stores-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
    }

    /** The bytes of RocksDB's write-ahead log files under the state directory. */
    private long walBytes() throws IOException {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")
                    && !p.getFileName().toString().startsWith("LOG")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void writesGoThroughTheWriteAheadLogAsTheyAreMade() throws IOException {
        KeyValueStore<Bytes, byte[]> store = RebuiltStores.supplier("views").get();
        store.init(context().getStateStoreContext(), store);
        try {
            assertThat(((WriteAheadLoggedRocksDBStore) store).writeAheadLogged()).isTrue();
            long before = walBytes();
            store.put(Bytes.wrap("run-1".getBytes()), "a view that must survive a SIGKILL".getBytes());
            assertThat(walBytes()).as("appended to the log at once, with no flush").isGreaterThan(before);
        } finally {
            store.close();
        }
    }

    @Test
    void aRebuiltStoreHasNoChangelog() {
        assertThat(RebuiltStores.keyValueStore("views", Serdes.String(), Serdes.String()).loggingEnabled()).isFalse();
    }
}
