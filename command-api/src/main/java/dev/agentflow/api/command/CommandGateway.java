package dev.agentflow.api.command;

import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Writes commands to their topics and correlates the deciders' replies by commandId. Every
 * instance reads every partition of command-replies (from the end it had at start-up), so any
 * instance can wait for any command it sent. The replies are read by a Spring for Apache Kafka
 * listener container: a reply it cannot read goes to the dead-letter topic and the next is read.
 */
public final class CommandGateway implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaMessageListenerContainer<String, CommandReply> replyReader;
    private final Map<String, CompletableFuture<CommandReply>> pending = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public CommandGateway(KafkaSettings kafka, DeadLetterPublisher deadLetters) {
        this(kafka, deadLetters, new CompositeMeterRegistry());
    }

    /** @param registry where {@code agentflow.command.replies} (each command's wait for its reply) is recorded */
    public CommandGateway(KafkaSettings kafka, DeadLetterPublisher deadLetters, MeterRegistry registry) {
        this.registry = registry;
        Topic<String, CommandReply> replies = kafka.topics().commandReplies();
        Properties producerProps = new Properties();
        producerProps.putAll(kafka.client());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "agentflow-command-gateway-" + kafka.instanceId());
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());

        Map<String, Object> consumerProps = kafka.client();
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "agentflow-reply-reader-" + kafka.instanceId());
        DefaultKafkaConsumerFactory<String, CommandReply> consumers = new DefaultKafkaConsumerFactory<>(
                consumerProps, new StringDeserializer(), new ErrorHandlingDeserializer<>(
                        replies.valueSerde().deserializer()));
        // Start from the end every partition has now, so that no reply to a command sent from here on is missed.
        List<TopicPartitionOffset> from = endOffsets(kafka.client(), replies.name());
        ContainerProperties container = new ContainerProperties(from.toArray(TopicPartitionOffset[]::new));
        // No group: nothing is committed, each instance reads every reply from where it started.
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setPollTimeout(500);
        container.setMessageListener((MessageListener<String, CommandReply>) record -> {
            CompletableFuture<CommandReply> waiting = record.key() == null ? null : pending.get(record.key());
            if (waiting != null && record.value() != null) {
                waiting.complete(record.value());
            }
        });
        DefaultErrorHandler errors = new DefaultErrorHandler(deadLetters.recoverer(), new FixedBackOff(0L, 0L));
        errors.setAckAfterHandle(false);
        errors.setLogLevel(KafkaException.Level.DEBUG); // the publisher logs the one line
        this.replyReader = new KafkaMessageListenerContainer<>(consumers, container);
        replyReader.setCommonErrorHandler(errors);
        replyReader.setBeanName("agentflow-reply-reader");
        replyReader.start();
    }

    /** Each partition of the topic at its last stable offset (what a read_committed reader would read next). */
    private static List<TopicPartitionOffset> endOffsets(Map<String, Object> client, String topic) {
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).entrySet().stream()
                    .map(e -> new TopicPartitionOffset(topic, e.getKey().partition(), e.getValue().offset()))
                    .toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the end of " + topic, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot read the end of " + topic, e);
        }
    }

    /**
     * Writes the command, which no decider answers, with its type in a header
     * ({@link Topics#COMMAND_TYPE_HEADER}); completes once every in-sync replica has it (acks=all).
     */
    public <C> CompletableFuture<RecordMetadata> write(Topic<String, CommandEnvelope<C>> topic,
                                                       CommandEnvelope<C> command) {
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        byte[] value = topic.valueSerde().serializer().serialize(topic.name(), command);
        producer.send(record(topic, command, value), (metadata, error) -> {
            if (error != null) {
                written.completeExceptionally(error);
            } else {
                written.complete(metadata);
            }
        });
        return written;
    }

    private static <C> ProducerRecord<String, byte[]> record(Topic<String, CommandEnvelope<C>> topic,
                                                             CommandEnvelope<C> command, byte[] value) {
        String type = command.idempotency() == null ? command.type() : Idempotency.CLAIM_TYPE;
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.COMMAND_TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        // the request's trace (its HTTP span) goes on in the decider, and for a run in all its hops
        RecordTracing.current().inject(headers);
        return new ProducerRecord<>(topic.name(), null, command.recordKey(), value, headers);
    }

    /**
     * Writes the command and waits for its reply.
     *
     * @throws ReplyTimeoutException when no reply came within {@code timeout}
     */
    public <C> CommandReply send(Topic<String, CommandEnvelope<C>> topic, CommandEnvelope<C> command,
                                 Duration timeout) {
        CompletableFuture<CommandReply> reply = new CompletableFuture<>();
        pending.put(command.commandId(), reply);
        long start = System.nanoTime();
        String outcome = "error";
        try {
            byte[] value = topic.valueSerde().serializer().serialize(topic.name(), command);
            producer.send(record(topic, command, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            CommandReply answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            outcome = answer.accepted() ? "accepted" : "rejected";
            return answer;
        } catch (java.util.concurrent.TimeoutException e) {
            outcome = "timeout";
            throw new ReplyTimeoutException(command.commandId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "timeout";
            throw new ReplyTimeoutException(command.commandId());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Cannot write command " + command.commandId(), e.getCause());
        } finally {
            pending.remove(command.commandId());
            Timer.builder("agentflow.command.replies")
                    .description("From writing a command to its decider's reply, by command and outcome")
                    .tags("command", command.type(), "outcome", outcome).serviceLevelObjectives(REPLY_BUCKETS)
                    .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static final Duration[] REPLY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)};

    /** Whether the reply reader is reading (for tests and health). */
    public boolean readingReplies() {
        return replyReader.isRunning();
    }

    @Override
    public void close() {
        replyReader.stop();
        producer.close(Duration.ofSeconds(10));
    }

    /** No reply within the timeout: the command may still be applied later. */
    public static final class ReplyTimeoutException extends RuntimeException {
        public ReplyTimeoutException(String commandId) {
            super("No reply to command " + commandId + " in time; it may still be applied", null, false, false);
        }
    }
}
