package dev.agentflow.standalone.cli;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The options of {@code replay}, parsed by hand: a handful of flags does not need a library, and
 * the launcher must not start Spring to read them.
 *
 * @param bootstrapServers the cluster holding the event topics
 * @param runId            show this run (and the workflow event that requested it), or null
 * @param workflowId       show this workflow and every run of it, or null
 * @param since            show only events that occurred at or after this instant, or null
 * @param json             print the stored envelopes as JSON lines instead of a timeline
 * @param resolve          print payloads stored by reference in full, in place of their references
 * @param deadLetters      list the dead-letter topic instead of events
 * @param topicPrefix      prefix of the topic names, as configured for the engine
 * @param timeout          how long to wait for the cluster before giving up
 * @param clientProperties Kafka client properties from {@code --command-config} (security), or none
 */
record Options(String bootstrapServers, String runId, String workflowId, Instant since, boolean json,
               boolean resolve, boolean deadLetters, String topicPrefix, Duration timeout,
               Map<String, String> clientProperties) {

    /** What the tool's Kafka clients are configured with. */
    Map<String, Object> client() {
        return KafkaSettings.client(bootstrapServers, clientProperties);
    }

    static final String USAGE = """
            Usage: java -jar agentflow.jar replay (--run RUN_ID | --workflow WORKFLOW_ID | --since ISO_INSTANT)
                                                  [--bootstrap-servers HOST:PORT] [--json] [--resolve]
                                                  [--topic-prefix PREFIX] [--timeout-ms MILLIS]
                                                  [--command-config FILE]
                   java -jar agentflow.jar replay --dead-letters [--since ISO_INSTANT] [--json] ...
              Prints the events of a run, of a workflow and its runs, or of everything since an instant,
              read from the event topics, in the order they occurred; or the dead letters.
              --run ID                 the run's events and the workflow event that requested it
              --workflow ID            the workflow's events and the events of each of its runs
              --since 2026-11-25T10:00:00Z   only events that occurred at or after this instant
                                       (alone: every event since then; with --run/--workflow: a filter)
              --bootstrap-servers      the Kafka cluster (default localhost:9092)
              --json                   one stored JSON envelope per line instead of the timeline
              --resolve                payloads stored by reference printed in full (checked against
                                       their SHA-256) in place of their references
              --dead-letters           the records a component could not read or apply: when, which
                                       component, where the record came from, why, and its start
              --topic-prefix           topic name prefix (default agentflow.)
              --timeout-ms             how long to wait for the cluster (default 15000)
              --command-config FILE    Kafka client properties (security.protocol, sasl.*, ssl.*), as
                                       Kafka's own tools take them
            Exit codes: 0 done, 1 cluster unreachable or topics missing, 2 bad options.""";

    private static final Set<String> VALUE_FLAGS = Set.of("--bootstrap-servers", "--run", "--workflow", "--since",
            "--topic-prefix", "--timeout-ms", "--command-config");

    /** Reads the arguments after {@code replay}; a {@link IllegalArgumentException} says what is wrong. */
    static Options parse(List<String> args) {
        String bootstrap = "localhost:9092";
        String run = null;
        String workflow = null;
        Instant since = null;
        boolean json = false;
        boolean resolve = false;
        boolean deadLetters = false;
        String prefix = Topics.DEFAULT_PREFIX;
        Duration timeout = Duration.ofSeconds(15);
        Map<String, String> client = Map.of();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("--json") || flag.equals("--resolve") || flag.equals("--dead-letters")) {
                json |= flag.equals("--json");
                resolve |= flag.equals("--resolve");
                deadLetters |= flag.equals("--dead-letters");
                continue;
            }
            if (!VALUE_FLAGS.contains(flag)) {
                throw new IllegalArgumentException(flag.startsWith("--") ? "Unknown option '" + flag + "'"
                        : "Unexpected argument '" + flag + "'");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            switch (flag) {
                case "--bootstrap-servers" -> bootstrap = value;
                case "--run" -> run = value;
                case "--workflow" -> workflow = value;
                case "--since" -> since = instant(value);
                case "--topic-prefix" -> prefix = value;
                case "--timeout-ms" -> timeout = Duration.ofMillis(positive(flag, value));
                case "--command-config" -> client = properties(value);
                default -> throw new IllegalStateException("Unhandled option " + flag);
            }
        }
        if (run != null && workflow != null) {
            throw new IllegalArgumentException("Give either --run or --workflow, not both");
        }
        if (deadLetters && (run != null || workflow != null)) {
            throw new IllegalArgumentException("--dead-letters lists every dead letter (filter with --since only)");
        }
        if (run == null && workflow == null && since == null && !deadLetters) {
            throw new IllegalArgumentException("Give --run, --workflow, --since or --dead-letters");
        }
        if (bootstrap.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is empty");
        }
        return new Options(bootstrap, run, workflow, since, json, resolve, deadLetters, prefix, timeout, client);
    }

    private static Map<String, String> properties(String file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file))) {
            properties.load(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--command-config: cannot read " + file + " (" + e.getMessage() + ")");
        }
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return Map.copyOf(map);
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since needs an ISO-8601 UTC instant such as 2026-11-25T10:00:00Z, not '"
                    + value + "'");
        }
    }

    private static long positive(String flag, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs a positive number, not '" + value + "'");
    }
}
