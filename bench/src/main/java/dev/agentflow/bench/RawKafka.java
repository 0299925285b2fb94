package dev.agentflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
        awaitLeaders(topic, partitions);
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

    /**
     * MB/s (10^6 bytes) of records of {@code recordBytes}: produced (idempotent, acks=all) and then
     * consumed, {@code totalBytes} in all, on a topic shaped like the engine's. Records over Kafka's
     * default size are allowed on this topic only: the raw baseline writes each payload as one record,
     * where the engine splits large ones into chunks.
     */
    Map<String, Object> payloadBaseline(int recordBytes, long totalBytes, int partitions) throws Exception {
        String topic = "bench.raw-payload-" + recordBytes + "-" + System.currentTimeMillis();
        int maxRecord = Math.max(1024 * 1024, recordBytes + 64 * 1024);
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                .configs(Map.of("max.message.bytes", Integer.toString(maxRecord))))).all().get();
        awaitLeaders(topic, partitions);
        int records = (int) Math.max(100, Math.min(1_000_000, totalBytes / recordBytes));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("recordBytes", recordBytes);
        result.put("records", records);
        double produced = produce(topic, records, recordBytes, maxRecord, false, 0);
        double consumed = consume(topic, records);
        result.put("producedMBPerSecond", Bench.round(produced * recordBytes / 1e6));
        result.put("consumedMBPerSecond", Bench.round(consumed * recordBytes / 1e6));
        admin.deleteTopics(List.of(topic)).all().get();
        return result;
    }

    /**
     * Waits until every partition of a new topic has a leader: an idempotent producer whose first
     * batch meets a partition without one can loop on out-of-order sequence errors for good.
     */
    private void awaitLeaders(String topic, int partitions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            } catch (ExecutionException e) {
                d = null; // not known to the broker's metadata yet
            }
            if (d != null && d.partitions().size() == partitions
                    && d.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0)) {
                served(topic, partitions);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topic " + topic + " has no leader for every partition");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the leader of each partition takes writes: the controller names a leader before the
     * broker has applied it, and an idempotent producer whose first batch is refused as
     * NOT_LEADER_OR_FOLLOWER was seen to retry it for ever (OUT_OF_ORDER_SEQUENCE_NUMBER), stalling
     * the baseline. One record to each partition, without idempotence, retried until acknowledged.
     */
    private void served(String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int partition = 0; partition < partitions; partition++) {
                producer.send(new ProducerRecord<>(topic, partition, null, new byte[0])).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private double produce(String topic, int records, boolean transactional, long commitIntervalMs) {
        return produce(topic, records, RECORD_BYTES, 1024 * 1024, transactional, commitIntervalMs);
    }

    private double produce(String topic, int records, int recordBytes, int maxRequest, boolean transactional,
                           long commitIntervalMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequest));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (transactional) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-raw-" + System.nanoTime());
        }
        byte[] value = new byte[recordBytes];
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
        return endOffsetsByTopic(prefix).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The sum of end offsets of each topic whose name starts with {@code prefix}, by topic. */
    Map<String, Long> endOffsetsByTopic(String prefix) throws InterruptedException, ExecutionException {
        Set<String> names = admin.listTopics().names().get();
        List<String> ours = names.stream().filter(n -> n.startsWith(prefix)).toList();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (TopicDescription d : admin.describeTopics(ours).allTopicNames().get().values()) {
            d.partitions().forEach(pi -> request.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest()));
        }
        Map<String, Long> sums = new TreeMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> sums.merge(tp.topic(), info.offset(), Long::sum));
        return sums;
    }

    /**
     * The bytes the broker's logs hold for every topic whose name starts with {@code prefix}
     * (every replica, every log directory): what the engine has written to disk so far.
     */
    long logBytes(String prefix) throws InterruptedException, ExecutionException {
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
        long sum = 0;
        for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (var dir : dirs.values()) {
                for (var replica : dir.replicaInfos().entrySet()) {
                    if (replica.getKey().topic().startsWith(prefix)) {
                        sum += replica.getValue().size();
                    }
                }
            }
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
