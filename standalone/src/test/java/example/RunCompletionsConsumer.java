package example;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An example downstream consumer: follows the runs that end, as a billing, notification or
 * analytics service would. It depends only on kafka-clients, a JSON parser and the published
 * contract (docs/events.md and the JSON Schemas {@code schema/run-events/RunCompleted.schema.json},
 * {@code RunFailed.schema.json} and {@code RunCancelled.schema.json} in the schemas jar), never on
 * agentflow's Java classes, so it keeps working across engine releases that evolve the events
 * compatibly.
 *
 * <p>What it relies on, all of it in the schemas:
 * <ul>
 *   <li>topic {@code agentflow.run-events}, key = run id, one JSON envelope per record;</li>
 *   <li>the envelope's {@code type} selects the shape of {@code data}; {@code schemaVersion} 1 and 2
 *       are the versions this consumer understands, and it skips others rather than misread them;</li>
 *   <li>in version 2 a payload ({@code RunCompleted.output}) may be a reference object instead of a
 *       string: its text is on {@code agentflow.payloads}, {@code chunks} records keyed
 *       {@code payloadId} from {@code partition}/{@code offset} on, each with a {@code chunk} header;
 *       concatenated in chunk order they are {@code bytes} bytes of UTF-8 with this {@code sha256};</li>
 *   <li>a record that is not JSON is skipped (the engine's own consumers copy it to the dead letters);</li>
 *   <li>unknown types and unknown fields are ignored: new ones may be added at any time;</li>
 *   <li>events of one run arrive in {@code version} order (one key, one partition).</li>
 * </ul>
 * Records of aborted transactions are never seen ({@code read_committed}); a restart resumes from
 * the committed offsets of its consumer group, so a completion may be reported again after a crash:
 * deduplicate on {@code eventId} where that matters.
 *
 * <p>Run it: {@code java -cp ... example.RunCompletionsConsumer localhost:9092}
 */
public final class RunCompletionsConsumer implements AutoCloseable {

    /** One run that ended: {@code status} is COMPLETED, FAILED or CANCELLED. */
    public record Completion(String runId, String status, String output, String error, String occurredAt) {
    }

    private static final List<String> ENDINGS = List.of("RunCompleted", "RunFailed", "RunCancelled");

    private final JsonMapper json = JsonMapper.builder().build();
    private final KafkaConsumer<String, String> consumer;
    private final KafkaConsumer<String, byte[]> payloads;
    private final String topic;
    private final String payloadTopic;

    /**
     * @param topic        the run-events topic
     * @param payloadTopic the payload topic, where payloads that travel by reference are
     */
    public RunCompletionsConsumer(String bootstrapServers, String topic, String payloadTopic, String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        Properties payloadProps = new Properties();
        payloadProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        payloadProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.payloads = new KafkaConsumer<>(payloadProps, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.payloadTopic = payloadTopic;
    }

    /** Reports every run that ends until {@link #close()} is called from another thread. */
    public void run(Consumer<Completion> onCompletion) {
        consumer.subscribe(List.of(topic));
        try {
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    Completion completion = completion(record.value());
                    if (completion != null) {
                        onCompletion.accept(completion);
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // close() was called
        } finally {
            consumer.close();
            payloads.close();
        }
    }

    /** The completion a record reports, or null when it reports none this consumer understands. */
    Completion completion(String value) {
        if (value == null) {
            return null;
        }
        JsonNode envelope;
        try {
            envelope = json.readTree(value);
        } catch (JacksonException e) {
            return null;
        }
        String type = envelope.path("type").asString();
        int schemaVersion = envelope.path("schemaVersion").asInt();
        if (!ENDINGS.contains(type) || schemaVersion < 1 || schemaVersion > 2) {
            return null;
        }
        JsonNode data = envelope.path("data");
        String status = switch (type) {
            case "RunCompleted" -> "COMPLETED";
            case "RunFailed" -> "FAILED";
            default -> "CANCELLED";
        };
        return new Completion(data.path("runId").asString(), status, text(data, "output"), text(data, "error"),
                envelope.path("occurredAt").asString());
    }

    private String text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        if (value.isObject() && value.has("payloadId")) {
            return stored(value);
        }
        return value.isString() ? value.asString() : null;
    }

    /** A payload stored by reference: its chunks read from the payload topic and checked. */
    private String stored(JsonNode ref) {
        String id = ref.path("payloadId").asString();
        int chunks = ref.path("chunks").asInt();
        TopicPartition partition = new TopicPartition(payloadTopic, ref.path("partition").asInt());
        payloads.assign(List.of(partition));
        payloads.seek(partition, ref.path("offset").asLong());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int next = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (next < chunks && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> chunk : payloads.poll(Duration.ofMillis(200))) {
                Header index = chunk.headers().lastHeader("chunk");
                if (id.equals(chunk.key()) && index != null
                        && Integer.parseInt(new String(index.value(), StandardCharsets.US_ASCII)) == next) {
                    text.writeBytes(chunk.value());
                    next++;
                }
            }
        }
        byte[] bytes = text.toByteArray();
        if (next < chunks || bytes.length != ref.path("bytes").asLong()
                || !sha256(bytes).equals(ref.path("sha256").asString())) {
            throw new IllegalStateException("payload " + id + " is missing or does not match its reference");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        consumer.wakeup();
    }

    public static void main(String[] args) {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        RunCompletionsConsumer example = new RunCompletionsConsumer(bootstrap, "agentflow.run-events",
                "agentflow.payloads", "run-completions-example");
        Runtime.getRuntime().addShutdownHook(new Thread(example::close));
        example.run(c -> System.out.println(c.occurredAt() + " " + c.runId() + " " + c.status()
                + (c.error() != null ? ": " + c.error() : "")));
    }
}
