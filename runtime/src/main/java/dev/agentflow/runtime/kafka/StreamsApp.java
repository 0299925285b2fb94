package dev.agentflow.runtime.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Configures, starts, queries and stops one of agentflow's Kafka Streams topologies. */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    public enum Guarantee { EXACTLY_ONCE, AT_LEAST_ONCE }

    private final String name;
    private final KafkaStreams streams;

    public StreamsApp(String name, Topology topology, KafkaSettings settings, Guarantee guarantee) {
        this.name = name;
        this.streams = new KafkaStreams(topology, properties(name, settings, guarantee));
        this.streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread of {} died; replacing it", name, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    public static Properties properties(String name, KafkaSettings settings, Guarantee guarantee) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.topics().applicationId(name));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                guarantee == Guarantee.EXACTLY_ONCE ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(settings.commitIntervalMs()));
        // The stream thread commits and punctuates only between polls: an idle poll of the default
        // 100 ms would hold a decided transaction back far longer than the commit interval.
        p.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(Math.max(1, Math.min(settings.commitIntervalMs(), 10))));
        p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().resolve(name).toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        // No record can stop a topology: what cannot be read, processed or written is logged, counted,
        // copied to the dead-letter topic and skipped.
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.topics().deadLetters().name());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterExceptionHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterExceptionHandlers.Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, guarantee == Guarantee.EXACTLY_ONCE
                ? DeadLetterExceptionHandlers.ExactlyOnceProduction.class.getName()
                : DeadLetterExceptionHandlers.Production.class.getName());
        // Events are written in transactions: never show a reader an aborted one.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                settings.topics().applicationId(name) + "-" + settings.instanceId());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        return p;
    }

    public String name() {
        return name;
    }

    public void start() {
        LOG.info("Starting {}", name);
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the topology runs (all its tasks assigned and restored). */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(name + " stopped while starting: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not reach RUNNING within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while starting " + name, e);
            }
        }
    }

    /** How long a query waits by default for a store that a rebalance has taken away. */
    public static final Duration STORE_WAIT = Duration.ofSeconds(10);

    /** A local key-value store keyed by string, waiting out a rebalance for up to {@link #STORE_WAIT}. */
    public <V> ReadOnlyKeyValueStore<String, V> keyValueStore(String storeName) {
        return store(storeName, QueryableStoreTypes.keyValueStore(), STORE_WAIT);
    }

    /**
     * A local store for interactive queries, waiting out a rebalance (bounded by {@code timeout}).
     */
    public <T> T store(String storeName, QueryableStoreType<T> type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return streams.store(StoreQueryParameters.fromNameAndType(storeName, type));
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * One local store per partition of {@code sourceTopic} (the topic that feeds the store's
     * processor), in partition order, for queries that merge sorted scans; waits out a rebalance for
     * up to {@link #STORE_WAIT}.
     */
    public <V> List<ReadOnlyKeyValueStore<String, V>> keyValueStorePartitions(String storeName, String sourceTopic) {
        long deadline = System.nanoTime() + STORE_WAIT.toNanos();
        while (true) {
            try {
                List<Integer> partitions = streams.metadataForLocalThreads().stream()
                        .flatMap(thread -> thread.activeTasks().stream())
                        .flatMap(task -> task.topicPartitions().stream())
                        .filter(tp -> tp.topic().equals(sourceTopic)).map(TopicPartition::partition)
                        .distinct().sorted().toList();
                if (partitions.isEmpty() && streams.state() != KafkaStreams.State.RUNNING) {
                    throw new InvalidStateStoreException(storeName + " has no partition yet");
                }
                List<ReadOnlyKeyValueStore<String, V>> stores = new ArrayList<>();
                for (int partition : partitions) {
                    stores.add(streams.store(StoreQueryParameters.<ReadOnlyKeyValueStore<String, V>>fromNameAndType(
                            storeName, QueryableStoreTypes.keyValueStore()).withPartition(partition)));
                }
                return stores;
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        LOG.info("Stopping {}", name);
        streams.close(Duration.ofSeconds(30));
    }
}
