package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.query.CaughtUp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A read that misses waits until the views have read their topic up to its end; when the topic's
 * last entry is a commit marker (run-commands, since a start claimed under an idempotency key is
 * written in a transaction), no record at the end is ever read: the read goes on once the views'
 * committed offset passes the marker, instead of answering 503 after the timeout.
 */
@ExtendWith(SharedBroker.class)
class CaughtUpIT {

    @Test
    void aTopicEndingInACommitMarkerIsCaughtUpWithOnceTheCommittedOffsetPassesIt() throws Exception {
        String prefix = SharedBroker.topicPrefix("caught-up");
        String topic = prefix + "commands";
        String group = prefix + "views";
        Map<String, Object> client = Map.of("bootstrap.servers", SharedBroker.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "tx");
        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            written = producer.send(new ProducerRecord<>(topic, "k", "start")).get();
            producer.commitTransaction();
        }
        try (CaughtUp caughtUp = new CaughtUp(client, group, Duration.ofSeconds(30))) {
            caughtUp.read(topic, 0, written.offset()); // the views read the record; the marker is no record

            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> caughtUp.await(topic, "absent", false));
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !read.isDone());
            try (Admin admin = Admin.create(client)) {
                // what Kafka Streams commits once it has read up to the end: the position past the marker
                admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0),
                        new OffsetAndMetadata(written.offset() + 2))).all().get();
            }

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(read::isDone);
            assertThat(read).isNotCompletedExceptionally();
        }
    }
}
