package dev.agentflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The physical limit beside the engine: what the same broker does with plain records on the same
 * machine, in the same run. 200-byte records, acks=all, on a topic shaped like the engine's.
 */
final class RawKafka implements AutoCloseable {

    static final int RECORD_BYTES = 200;

    private final String bootstrapServers;
    private final Admin admin;

    RawKafka(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(p);
    }

    /**
     * Produced records/s (idempotent, acks=all), produced records/s in transactions committed every
     * {@code commitIntervalMs} (as Kafka Streams under exactly_once_v2 commits), and consumed
     * records/s (read_committed).
     */
    Map<String, Object> baseline(int records, int partitions, long commitIntervalMs) throws Exception {
        String topic = "bench.raw-" + System.currentTimeMillis();
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("recordBytes", RECORD_BYTES);
        result.put("records", records);
        result.put("partitions", partitions);
        result.put("producedPerSecond", Math.round(produce(topic, records, false, commitIntervalMs)));
        result.put("transactionalProducedPerSecond", Math.round(produce(topic, records, true, commitIntervalMs)));
        result.put("transactionCommitIntervalMs", commitIntervalMs);
        result.put("consumedPerSecond", Math.round(consume(topic, 2L * records)));
        admin.deleteTopics(List.of(topic)).all().get();
        return result;
    }

    private double produce(String topic, int records, boolean transactional, long commitIntervalMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (transactional) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-raw-" + System.nanoTime());
        }
        byte[] value = new byte[RECORD_BYTES];
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            if (transactional) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            long lastCommit = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(i).getBytes(), value));
                if (transactional && System.nanoTime() - lastCommit >= commitIntervalMs * 1_000_000) {
                    producer.commitTransaction();
                    producer.beginTransaction();
                    lastCommit = System.nanoTime();
                }
            }
            if (transactional) {
                producer.commitTransaction();
            } else {
                producer.flush();
            }
        }
        return records / ((System.nanoTime() - start) / 1e9);
    }

    private double consume(String topic, long expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long start = System.nanoTime();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen < expected && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return seen / ((System.nanoTime() - start) / 1e9);
    }

    /** The sum of end offsets of every topic whose name starts with {@code prefix}: records written so far. */
    long endOffsets(String prefix) throws InterruptedException, ExecutionException {
        Set<String> names = admin.listTopics().names().get();
        List<String> ours = names.stream().filter(n -> n.startsWith(prefix)).toList();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (TopicDescription d : admin.describeTopics(ours).allTopicNames().get().values()) {
            d.partitions().forEach(pi -> request.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest()));
        }
        long sum = 0;
        for (var info : admin.listOffsets(request).all().get().values()) {
            sum += info.offset();
        }
        return sum;
    }

    /** The last stable offsets (what read_committed readers can reach) of the given partitions. */
    Map<TopicPartition, Long> committedEnds(List<TopicPartition> partitions)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
    }
}
