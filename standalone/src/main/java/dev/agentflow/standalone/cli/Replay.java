package dev.agentflow.standalone.cli;

import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.Utf8;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.KafkaException;
import tools.jackson.databind.JsonNode;

/**
 * {@code replay}: what happened to a run or a workflow, read straight from the event topics, which
 * are the system of record. Needs only a bootstrap address: no service, view or database of
 * agentflow has to be up, and reading commits nothing.
 */
public final class Replay {

    private static final int TEXT_LIMIT = 80;

    private Replay() {
    }

    /** The subcommand as the launcher runs it; returns the exit code. */
    public static int run(String[] args) {
        // Before the first logger exists: the Kafka client logs warnings to stderr, never to stdout
        System.setProperty("logback.configurationFile", "dev/agentflow/standalone/cli/logback-cli.xml");
        return run(List.of(args), System.out, System.err);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        Topics topics = new Topics(options.topicPrefix(), Topics.DEFAULT_PARTITIONS);
        try (EventLog log = new EventLog(options.client(), options.timeout())) {
            if (options.deadLetters()) {
                log.readRaw(topics.deadLetters().name(), options.since(), r -> {
                    DeadLetter letter = DeadLetter.of(r);
                    out.println(options.json() ? letter.json() : letter.line());
                });
                out.flush();
                return 0;
            }
            Consumer<String> warn = line -> err.println("replay: " + line);
            List<EventLog.Entry> events = select(log, options, warn);
            try (Payloads payloads = options.resolve()
                    ? new Payloads(options.client(), topics.payloads().name()) : null) {
                for (EventLog.Entry e : events) {
                    EventLog.Entry shown = payloads == null ? e : payloads.resolved(e, warn);
                    out.println(options.json() ? shown.event().toString() : line(shown));
                }
            }
        } catch (KafkaException | IllegalStateException e) {
            err.println("replay: cannot read the " + (options.deadLetters() ? "dead-letter topic" : "event topics")
                    + " from " + options.bootstrapServers() + ": " + e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }

    /**
     * The selected events of both topics in the order they occurred. Workflow events come first on a
     * tie: a run is requested on its workflow before it starts.
     */
    private static List<EventLog.Entry> select(EventLog log, Options o, Consumer<String> skipped) {
        Topics topics = new Topics(o.topicPrefix(), Topics.DEFAULT_PARTITIONS);
        String workflowTopic = topics.workflowEvents().name();
        String runTopic = topics.runEvents().name();
        Instant since = o.since();
        Predicate<EventLog.Entry> inTime = e -> since == null || !e.occurredAt().isBefore(since);

        List<EventLog.Entry> selected = new ArrayList<>();
        if (o.runId() != null) {
            selected.addAll(log.read(workflowTopic, since, inTime.and(e -> e.type().equals("RunRequested")
                    && o.runId().equals(e.event().path("data").path("runId").asString())), skipped));
            selected.addAll(log.read(runTopic, since, inTime.and(e -> o.runId().equals(e.key())), skipped));
        } else if (o.workflowId() != null) {
            // A run's RunStarted names its workflow (and so did the workflow's RunRequested, which
            // versions before runs were started by the API wrote first)
            List<EventLog.Entry> workflow = log.read(workflowTopic, null, e -> o.workflowId().equals(e.key()),
                    skipped);
            Set<String> runs = new HashSet<>();
            workflow.stream().filter(e -> e.type().equals("RunRequested"))
                    .forEach(e -> runs.add(e.event().path("data").path("runId").asString()));
            log.read(runTopic, null, e -> e.type().equals("RunStarted")
                    && o.workflowId().equals(e.event().path("data").path("workflowId").asString()), skipped)
                    .forEach(e -> runs.add(e.key()));
            workflow.stream().filter(inTime).forEach(selected::add);
            selected.addAll(log.read(runTopic, since, inTime.and(e -> runs.contains(e.key())), skipped));
        } else {
            selected.addAll(log.read(workflowTopic, since, inTime, skipped));
            selected.addAll(log.read(runTopic, since, inTime, skipped));
        }
        Map<String, Integer> topicOrder = Map.of(workflowTopic, 0, runTopic, 1);
        selected.sort(Comparator.comparing(EventLog.Entry::occurredAt)
                .thenComparing(e -> topicOrder.get(e.topic()))
                .thenComparingInt(EventLog.Entry::partition)
                .thenComparingLong(EventLog.Entry::offset));
        return selected;
    }

    /**
     * One timeline line: when, which aggregate at which version, the event type, then the payload's
     * fields in order ({@code stepOrder} shown as {@code step}, long texts cut), so that event types
     * added later print too.
     */
    static String line(EventLog.Entry entry) {
        JsonNode event = entry.event();
        String aggregateId = event.path("aggregateId").asString();
        String kind = entry.topic().endsWith("run-events") ? "run" : "workflow";
        StringBuilder line = new StringBuilder()
                .append(event.path("occurredAt").asString()).append("  ")
                .append(kind).append(' ').append(aggregateId).append("  ")
                .append('v').append(event.path("version").asLong()).append("  ")
                .append(entry.type());
        if (event.hasNonNull("actor")) {
            line.append("  by ").append(event.path("actor").asString());
        }
        for (Map.Entry<String, JsonNode> field : event.path("data").properties()) {
            JsonNode value = field.getValue();
            if (value.isNull() || value.isString() && value.asString().equals(aggregateId)) {
                continue;
            }
            line.append("  ").append(field.getKey().equals("stepOrder") ? "step" : field.getKey()).append(' ')
                    .append(describe(field.getKey(), value));
        }
        return line.toString();
    }

    private static String describe(String name, JsonNode value) {
        if (Payload.isReference(value)) {
            return "<payload " + value.path("payloadId").asString() + ", " + value.path("bytes").asLong()
                    + " bytes> " + DeadLetter.quote(cut(value.path("preview").asString())) + "…";
        }
        if (value.isObject() && Payload.isReference(value.path("proposedOutput"))) {
            return "proposedOutput " + describe("proposedOutput", value.path("proposedOutput"));
        }
        if (value.isArray()) {
            return value.size() + " " + (name.equals("steps") ? "step(s)" : "item(s)");
        }
        if (value.isString()) {
            String text = value.asString();
            return text.length() > TEXT_LIMIT ? DeadLetter.quote(cut(text)) + "… (" + text.length() + " chars)" : DeadLetter.quote(text);
        }
        String json = value.toString();
        return json.length() > TEXT_LIMIT ? json.substring(0, TEXT_LIMIT) + "…" : json;
    }

    private static String cut(String text) {
        return Utf8.head(text, TEXT_LIMIT);
    }
}
