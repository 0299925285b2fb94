package dev.agentflow.standalone;

import dev.agentflow.runtime.kafka.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test access to the dead-letter topic, and a plain producer for records the engine did not write. */
final class DeadLetterTopic {

    /** One dead letter: who gave up on which record, and why. */
    record Letter(String component, String topic, int partition, long offset, String message, String value) {
        String source() {
            return component + " <- " + topic;
        }
    }

    private DeadLetterTopic() {
    }

    /** Every dead letter written so far. */
    static List<Letter> read(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(letter(r.headers(), r.value()));
                }
            }
        }
        return letters;
    }

    private static Letter letter(Headers h, byte[] value) {
        String text = value == null ? null : new String(value, StandardCharsets.UTF_8);
        if (h.lastHeader(DeadLetters.STREAMS_TOPIC) != null) {
            return new Letter(text(h, DeadLetters.COMPONENT_HEADER), text(h, DeadLetters.STREAMS_TOPIC),
                    Integer.parseInt(text(h, DeadLetters.STREAMS_PARTITION)),
                    Long.parseLong(text(h, DeadLetters.STREAMS_OFFSET)), text(h, DeadLetters.STREAMS_MESSAGE), text);
        }
        if (h.lastHeader("kafka_dlt-original-topic") == null) {
            return new Letter(null, null, -1, -1, null, text); // not written by the engine
        }
        return new Letter(text(h, DeadLetters.COMPONENT_HEADER), text(h, "kafka_dlt-original-topic"),
                ByteBuffer.wrap(h.lastHeader("kafka_dlt-original-partition").value()).getInt(),
                ByteBuffer.wrap(h.lastHeader("kafka_dlt-original-offset").value()).getLong(),
                text(h, "kafka_dlt-exception-message"), text);
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Writes one record as any Kafka client could, outside the engine. */
    static void write(String bootstrapServers, String topic, String key, byte[] value) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot write to " + topic, e);
        }
    }
}
