package dev.agentflow.runtime.kafka;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WriteAheadLoggedRocksDBStore;

/**
 * Stores that have no changelog topic: each is kept in RocksDB with its write-ahead log on (so a
 * killed process loses none of its writes) and rebuilt from its topology's input topics when its
 * local state is lost. For a topology whose stores all derive from topics the engine keeps forever
 * (the views, the sessions), this saves every changelog record; run it with
 * {@link StreamsApp#rebuildingLostState()}.
 */
public final class RebuiltStores {

    private RebuiltStores() {
    }

    /** A persistent key-value store with no changelog, durable through its write-ahead log. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> keyValueStore(String name, Serde<K> keys, Serde<V> values) {
        return Stores.keyValueStoreBuilder(supplier(name), keys, values).withLoggingDisabled();
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new WriteAheadLoggedRocksDBStore(name, metricsScope());
            }

            @Override
            public String metricsScope() {
                return "rocksdb";
            }
        };
    }
}
