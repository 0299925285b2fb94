package org.apache.kafka.streams.state.internals;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * Kafka Streams' own RocksDB key-value store, with RocksDB's write-ahead log turned back on.
 *
 * <p>Kafka Streams writes RocksDB without its write-ahead log, because a store's changelog topic is
 * what makes it durable; it flushes the memtables only when it checkpoints (on a clean close, or
 * every 10,000 changelog records). A store without a changelog would then lose, on a crash, every
 * write since its last flush, while the task's input offsets were committed past them. With the
 * write-ahead log each write is appended to a local file as it is made (no fsync: it survives the
 * process being killed, as the broker's own log does, not the machine losing power), and RocksDB
 * replays it when it opens the store. agentflow uses this store only for stores that have no
 * changelog and are rebuilt from their input topics when their local state is lost (see
 * {@code dev.agentflow.runtime.kafka.StreamsApp#rebuildingLostState}).
 *
 * <p>It lives in Kafka Streams' package because the write options it changes are package-private
 * ({@code RocksDBStore.wOptions}); nothing else of the store is changed, and a Kafka Streams version
 * that renamed the field would fail this module's compilation rather than lose a write.
 */
public class WriteAheadLoggedRocksDBStore extends RocksDBStore {

    public WriteAheadLoggedRocksDBStore(String name, String metricsScope) {
        super(name, metricsScope);
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        super.init(stateStoreContext, root);
        // the accessors write with this very object: turning the log on here turns it on for every write
        wOptions.setDisableWAL(false);
    }

    /** Whether writes go through the write-ahead log (open stores only). */
    public boolean writeAheadLogged() {
        return wOptions != null && !wOptions.disableWAL();
    }
}
