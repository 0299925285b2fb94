package dev.agentflow.runtime.kafka;

import dev.agentflow.runtime.kafka.DeadLetters;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.limits.Limits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * Dead letters of a plain consumer (one that is not a Kafka Streams app), through Spring for
 * Apache Kafka's {@link DeadLetterPublishingRecoverer}: its {@code kafka_dlt-*} headers say where the
 * record came from and why it failed, {@link DeadLetters#COMPONENT_HEADER} which component gave up;
 * the copy is bounded like every record the engine writes. Each dead letter is also logged once
 * and counted ({@link DeadLetters#record}).
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private final String component;
    private final DefaultKafkaProducerFactory<Object, Object> producers;
    private final DeadLetterPublishingRecoverer recoverer;

    public DeadLetterPublisher(KafkaSettings kafka, String component) {
        this.component = component;
        String deadLetterTopic = kafka.topics().deadLetters().name();
        Map<String, Object> config = kafka.client();
        config.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, component + "-dead-letters",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        this.producers = new DefaultKafkaProducerFactory<>(config);
        this.recoverer = new BoundedRecoverer(new KafkaTemplate<>(producers),
                (record, e) -> new TopicPartition(deadLetterTopic, -1), component);
        recoverer.setWaitForSendResultTimeout(Duration.ofSeconds(30));
        recoverer.addHeadersFunction((record, e) -> new RecordHeaders().add(DeadLetters.COMPONENT_HEADER,
                component.getBytes(StandardCharsets.UTF_8)));
    }

    /** For a listener container's error handler: logs, counts and copies the failed record. */
    public DeadLetterPublishingRecoverer recoverer() {
        return recoverer;
    }

    /** For a consumer loop of our own: logs, counts and copies the record it could not apply. */
    public void publish(ConsumerRecord<?, ?> record, Exception reason) {
        recoverer.accept(record, null, reason);
    }

    public String component() {
        return component;
    }

    @Override
    public void close() {
        producers.destroy();
    }

    /** Logs and counts each dead letter, and copies at most a bounded part of the record. */
    private static final class BoundedRecoverer extends DeadLetterPublishingRecoverer {
        private final String component;

        BoundedRecoverer(KafkaTemplate<Object, Object> template,
                         java.util.function.BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> destination,
                         String component) {
            super(template, destination);
            this.component = component;
        }

        @Override
        public void accept(ConsumerRecord<?, ?> record, org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                           Exception exception) {
            DeadLetters.record(component, record.topic(), record.partition(), record.offset(), exception);
            super.accept(record, consumer, exception);
        }

        @Override
        protected ProducerRecord<Object, Object> createProducerRecord(ConsumerRecord<?, ?> record,
                                                                      TopicPartition topicPartition, Headers headers,
                                                                      byte[] key, byte[] value) {
            byte[] k = bounded(key != null ? key : bytes(record.key()), Limits.DEAD_LETTER_FIELD_BYTES);
            byte[] whole = value != null ? value : bytes(record.value());
            byte[] v = bounded(whole, Limits.DEAD_LETTER_VALUE_BYTES);
            // the recoverer's own headers (each bounded), and the record's own (bounded in all)
            RecordHeaders kept = new RecordHeaders();
            List<Header> source = new ArrayList<>();
            for (Header h : headers) {
                if (h.key().startsWith("kafka_dlt-") || h.key().startsWith("agentflow.")) {
                    kept.add(h.key(), bounded(h.value(), Limits.DEAD_LETTER_FIELD_BYTES));
                } else {
                    source.add(h);
                }
            }
            DeadLetters.copyHeaders(source, kept);
            if (whole != null && v.length < whole.length) {
                kept.add(DeadLetters.TRUNCATED_HEADER,
                        Integer.toString(whole.length).getBytes(StandardCharsets.US_ASCII));
            }
            return new ProducerRecord<>(topicPartition.topic(),
                    topicPartition.partition() < 0 ? null : topicPartition.partition(), k, v, kept);
        }

        private static byte[] bytes(Object value) {
            if (value == null || value instanceof byte[]) {
                return (byte[]) value;
            }
            if (value instanceof String s) {
                return s.getBytes(StandardCharsets.UTF_8);
            }
            try {
                return Json.mapper().writeValueAsBytes(value);
            } catch (RuntimeException e) {
                return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
            }
        }

        private static byte[] bounded(byte[] bytes, int max) {
            return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
        }
    }
}
