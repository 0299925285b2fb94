package dev.agentflow.api.command;

import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes commands to their topics and correlates the deciders' replies by commandId. Every
 * instance reads every partition of command-replies (from its end at start-up), so any instance
 * can wait for any command it sent.
 */
public final class CommandGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);

    private final Topic<String, CommandReply> replies;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, CommandReply> consumer;
    private final Map<String, CompletableFuture<CommandReply>> pending = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread poller;
    private volatile boolean running = true;

    public CommandGateway(KafkaSettings kafka) {
        this.replies = kafka.topics().commandReplies();
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topic.MAX_MESSAGE_BYTES));
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "agentflow-command-gateway-" + kafka.instanceId());
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());

        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "agentflow-reply-reader-" + kafka.instanceId());
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                replies.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(replies.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the end offsets now, so that no reply to a command sent from here on is skipped.
        partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
        this.poller = new Thread(this::pollReplies, "agentflow-reply-reader");
        this.poller.setDaemon(true);
        this.poller.start();
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
        try {
            byte[] value = topic.valueSerde().serializer().serialize(topic.name(), command);
            producer.send(new ProducerRecord<>(topic.name(), command.aggregateId(), value)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ReplyTimeoutException(command.commandId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplyTimeoutException(command.commandId());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Cannot write command " + command.commandId(), e.getCause());
        } finally {
            pending.remove(command.commandId());
        }
    }

    private void pollReplies() {
        try {
            while (running) {
                for (ConsumerRecord<String, CommandReply> record : consumer.poll(Duration.ofMillis(500))) {
                    CompletableFuture<CommandReply> waiting = record.key() == null ? null : pending.get(record.key());
                    if (waiting != null && record.value() != null) {
                        waiting.complete(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Reply reader stopped", e);
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }

    /** No reply within the timeout: the command may still be applied later. */
    public static final class ReplyTimeoutException extends RuntimeException {
        public ReplyTimeoutException(String commandId) {
            super("No reply to command " + commandId + " in time; it may still be applied", null, false, false);
        }
    }
}
