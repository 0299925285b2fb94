package dev.agentflow.processor.agent;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunDelta;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes agents' deltas to the run-deltas topic, keyed by run id (so a run's deltas keep their
 * order), with an idempotent producer and a short linger: many small pieces go out in few batches.
 */
public final class DeltaPublisher implements Deltas, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaPublisher.class);

    private final KafkaProducer<String, RunDelta> producer;
    private final Topic<String, RunDelta> topic;
    private final AtomicLong lost = new AtomicLong();

    public DeltaPublisher(KafkaSettings kafka) {
        this.topic = kafka.topics().runDeltas();
        Properties p = new Properties();
        p.putAll(kafka.client());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "agentflow-deltas-" + kafka.instanceId());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), topic.valueSerde().serializer());
    }

    @Override
    public CompletableFuture<Void> write(AgentRequest request, RunDelta delta) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic.name(), delta.runId(), delta), (metadata, error) -> {
                if (error != null && lost.getAndIncrement() % 1000 == 0) {
                    LOG.warn("A delta of run {} (step {}) was not written ({} lost so far): {}", delta.runId(),
                            delta.stepOrder(), lost.get(), error.toString());
                }
                written.complete(null);
            });
        } catch (RuntimeException e) {
            lost.incrementAndGet();
            written.complete(null);
        }
        return written;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
