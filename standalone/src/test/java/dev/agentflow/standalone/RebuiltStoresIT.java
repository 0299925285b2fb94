package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.RebuiltStores;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.schemas.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.util.FileSystemUtils;

/**
 * A topology whose stores have no changelog, on a real broker: its first start reads its input from
 * the beginning and says it is rebuilt only once it has read what was there; a restart keeps its
 * stores; a lost state directory makes it read everything again.
 */
@ExtendWith(SharedBroker.class)
class RebuiltStoresIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STORE = "counts";

    private final String prefix = SharedBroker.topicPrefix("rebuilt");
    private final String input = prefix + "input";
    /** How many records the processor has seen, replays included. */
    private final AtomicInteger processed = new AtomicInteger();
    /** Holds the processor back until released. */
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private StreamsApp app;

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        if (app != null) {
            app.destroy();
        }
    }

    private StreamsApp start(Path stateDir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(SharedBroker.bootstrapServers(),
                new Topics(prefix, 1), stateDir, 20, "node-1");
        app = new StreamsApp("rebuilt-test", StreamsApp.topology(topology -> topology
                .addSource("input-source", Serdes.String().deserializer(), Serdes.String().deserializer(), input)
                .addProcessor("count", Count::new, "input-source")
                .addStateStore(RebuiltStores.keyValueStore(STORE, Serdes.String(), Serdes.String()), "count")),
                kafka, StreamsApp.Guarantee.AT_LEAST_ONCE).rebuildingLostState();
        app.afterPropertiesSet();
        app.start();
        return app;
    }

    /** Keeps each record's value under its key. */
    private final class Count implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            try {
                assertThat(gate.await(60, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            store.put(record.key(), record.value());
            processed.incrementAndGet();
        }
    }

    private void produce(int from, int to) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            }
        }
    }

    private long stored() {
        ReadOnlyKeyValueStore<String, String> store = app.keyValueStore(STORE);
        long count = 0;
        try (KeyValueIterator<String, String> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    @Test
    void readsItsInputAgainWhenItsStateIsLostAndSaysWhenItHasCaughtUp() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, 1, (short) 1))).all().get();
        }
        produce(0, 50);
        Path stateDir = Files.createTempDirectory("rebuilt-stores");

        // no local state: everything in the topic is read, and it is not rebuilt until then
        gate = new CountDownLatch(1);
        start(stateDir);
        Awaitility.await("not rebuilt while held").during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> !app.rebuilt());
        gate.countDown();
        Awaitility.await("rebuilt").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.rebuilt() && stored() == 50);
        assertThat(processed.get()).isGreaterThanOrEqualTo(50);

        // a restart keeps the stores: nothing to rebuild, only what is new is read
        app.destroy();
        produce(50, 60);
        processed.set(0);
        start(stateDir);
        assertThat(app.rebuilt()).isTrue();
        Awaitility.await("the new records").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> stored() == 60);
        assertThat(processed.get()).as("what was new, not all again").isBetween(10, 59);

        // the state directory lost: the committed offsets are set back, and everything is read again
        app.destroy();
        FileSystemUtils.deleteRecursively(stateDir);
        processed.set(0);
        start(stateDir);
        Awaitility.await("everything read again").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.rebuilt() && stored() == 60);
        assertThat(processed.get()).isGreaterThanOrEqualTo(60);
    }
}
