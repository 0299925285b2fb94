package example;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 *   <li>the envelope's {@code type} selects the shape of {@code data}; {@code schemaVersion} 1 is the
 *       version this consumer understands, and it skips others rather than misread them;</li>
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
    private final String topic;

    public RunCompletionsConsumer(String bootstrapServers, String topic, String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.topic = topic;
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
        }
    }

    /** The completion a record reports, or null when it reports none this consumer understands. */
    Completion completion(String value) {
        if (value == null) {
            return null;
        }
        JsonNode envelope = json.readTree(value);
        String type = envelope.path("type").asString();
        if (!ENDINGS.contains(type) || envelope.path("schemaVersion").asInt() != 1) {
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

    private static String text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        return value.isString() ? value.asString() : null;
    }

    @Override
    public void close() {
        consumer.wakeup();
    }

    public static void main(String[] args) {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        RunCompletionsConsumer example = new RunCompletionsConsumer(bootstrap, "agentflow.run-events",
                "run-completions-example");
        Runtime.getRuntime().addShutdownHook(new Thread(example::close));
        example.run(c -> System.out.println(c.occurredAt() + " " + c.runId() + " " + c.status()
                + (c.error() != null ? ": " + c.error() : "")));
    }
}
