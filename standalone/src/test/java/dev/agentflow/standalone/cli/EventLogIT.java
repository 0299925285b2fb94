package dev.agentflow.standalone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentflow.standalone.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A read of an event topic whose broker goes away midway gives up instead of waiting for ever. */
class EventLogIT {

    private static final String TOPIC = "agentflow.run-events";
    /** 4 MB in all: more than one fetch (1 MB per partition), so the read needs the broker again midway. */
    private static final int RECORDS = 4_000;

    @Test
    void aReadWhoseBrokerGoesAwayMidwayFailsAfterTheTimeout() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createTempDirectory("agentflow-eventlog"),
                freePort(), freePort());
        AtomicBoolean stopped = new AtomicBoolean();
        try {
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            String padding = "x".repeat(1_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "wr-1", "{\"type\":\"StepStarted\",\"version\":" + i
                            + ",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"padding\":\"" + padding + "\"}"));
                }
            }
            AtomicInteger read = new AtomicInteger();
            try (EventLog log = new EventLog(dev.agentflow.runtime.kafka.KafkaSettings.client(bootstrap, Map.of()), Duration.ofSeconds(2))) {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> log.read(TOPIC, null,
                        entry -> {
                            if (read.incrementAndGet() == 1) {
                                broker.close();
                                stopped.set(true);
                            }
                            return true;
                        }, skipped -> { }))
                        .isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("No progress reading " + TOPIC + " for 2000 ms"));
            }
            assertThat(read.get()).as("stopped midway").isBetween(1, RECORDS - 1);
        } finally {
            if (!stopped.get()) {
                broker.close();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
