package dev.agentflow.standalone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The replay tool without a broker: options, the timeline line, and a cluster that is not there. */
class ReplayTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int replay(String... args) {
        return Replay.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void parsesEveryOption() {
        Options o = Options.parse(List.of("--run", "wr-1", "--bootstrap-servers", "kafka:9092", "--json",
                "--since", "2026-11-25T10:00:00Z", "--topic-prefix", "test.", "--timeout-ms", "500", "--resolve"));

        assertThat(o).isEqualTo(new Options("kafka:9092", "wr-1", null, Instant.parse("2026-11-25T10:00:00Z"), true,
                true, false, "test.", Duration.ofMillis(500), Map.of()));
        assertThat(Options.parse(List.of("--workflow", "wf-1"))).isEqualTo(new Options("localhost:9092", null,
                "wf-1", null, false, false, false, "agentflow.", Duration.ofSeconds(15), Map.of()));
        assertThat(Options.parse(List.of("--dead-letters"))).isEqualTo(new Options("localhost:9092", null, null, null,
                false, false, true, "agentflow.", Duration.ofSeconds(15), Map.of()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                  | Give --run, --workflow, --since or --dead-letters",
            "--json                              | Give --run, --workflow, --since or --dead-letters",
            "--run wr-1 --workflow wf-1          | Give either --run or --workflow, not both",
            "--run                               | --run needs a value",
            "--run wr-1 --colour red             | Unknown option '--colour'",
            "--run wr-1 --colour                 | Unknown option '--colour'",
            "--run wr-1 extra                    | Unexpected argument 'extra'",
            "--since 2026-11-25                  | --since needs an ISO-8601 UTC instant",
            "--run wr-1 --timeout-ms 0           | --timeout-ms needs a positive number, not '0'"})
    void badOptionsExitWith2AndTheUsage(String args, String message) {
        int code = replay(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("replay: ").contains(message)
                .contains(Options.USAGE);
    }

    @Test
    void anUnreachableClusterExitsWith1WithinTheTimeout() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();

        int code = replay("--run", "wr-1", "--bootstrap-servers", "127.0.0.1:" + port, "--timeout-ms", "1500");

        assertThat(code).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("replay: cannot read the event topics from 127.0.0.1:" + port);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void runControlEventsShowTheirVersionTheirSourceAndTheirRetry() {
        String started = """
                {"eventId":"evt-1","type":"RunStarted","schemaVersion":1,"aggregateId":"wr-2","version":1,\
                "occurredAt":"2026-12-02T10:00:00Z","commandId":"job-1","actor":"key:ops","data":{"runId":"wr-2",\
                "workflowId":"wf-1","sessionId":"s","input":"in","steps":[],"definitionVersion":4,\
                "forkedFrom":{"runId":"wr-1","fromStep":3}}}""";
        String reused = """
                {"eventId":"evt-2","type":"StepReused","schemaVersion":1,"aggregateId":"wr-2","version":2,\
                "occurredAt":"2026-12-02T10:00:00Z","commandId":"job-1","data":{"runId":"wr-2","stepOrder":1,\
                "output":"out1","sourceRunId":"wr-1","sourceDefinitionVersion":3}}""";
        String retried = """
                {"eventId":"evt-3","type":"RunRetried","schemaVersion":1,"aggregateId":"wr-2","version":9,\
                "occurredAt":"2026-12-02T10:00:00Z","commandId":"job-2","data":{"runId":"wr-2","stepOrder":3,\
                "attempt":2}}""";

        assertThat(Replay.line(entry(started))).isEqualTo("2026-12-02T10:00:00Z  run wr-2  v1  RunStarted  by key:ops"
                + "  workflowId \"wf-1\"  sessionId \"s\"  input \"in\"  steps 0 step(s)  definitionVersion 4"
                + "  forkedFrom {\"runId\":\"wr-1\",\"fromStep\":3}");
        assertThat(Replay.line(entry(reused))).isEqualTo("2026-12-02T10:00:00Z  run wr-2  v2  StepReused  step 1"
                + "  output \"out1\"  sourceRunId \"wr-1\"  sourceDefinitionVersion 3");
        assertThat(Replay.line(entry(retried))).isEqualTo("2026-12-02T10:00:00Z  run wr-2  v9  RunRetried  step 3"
                + "  attempt 2");
    }

    private static EventLog.Entry entry(String stored) {
        return new EventLog.Entry("agentflow.run-events", 0, 7, "wr-2", stored, Json.mapper().readTree(stored));
    }

    @Test
    void aPayloadStoredByReferenceShowsItsIdSizeAndPreview() {
        String stored = """
                {"eventId":"evt-1","type":"RunPaused","schemaVersion":2,"aggregateId":"wr-1","version":6,\
                "occurredAt":"2026-11-25T10:00:00Z","commandId":"job-1","data":{"runId":"wr-1","stepOrder":2,\
                "approval":{"proposedOutput":{"payloadId":"pl-9","bytes":40000,"sha256":"ab","chunks":1,\
                "partition":0,"offset":3,"preview":"Summary: AI"},"reason":"ok?"}}}""";
        EventLog.Entry entry = new EventLog.Entry("agentflow.run-events", 0, 7, "wr-1", stored,
                Json.mapper().readTree(stored));

        assertThat(Replay.line(entry)).isEqualTo("2026-11-25T10:00:00Z  run wr-1  v6  RunPaused  step 2"
                + "  approval proposedOutput <payload pl-9, 40000 bytes> \"Summary: AI\"…");
    }

    @Test
    void aTimelineLineNamesTheAggregateVersionTypeAndPayload() {
        String stored = """
                {"eventId":"evt-1","type":"StepCompleted","schemaVersion":1,"aggregateId":"wr-1","version":4,\
                "occurredAt":"2026-11-25T10:00:00.123Z","commandId":"job-1","data":{"runId":"wr-1","stepOrder":1,\
                "attempt":2,"output":"%s","note":null,"extra":{"a":1},"steps":[1,2]}}""".formatted("x".repeat(100));
        EventLog.Entry entry = new EventLog.Entry("agentflow.run-events", 0, 7, "wr-1", stored,
                Json.mapper().readTree(stored));

        assertThat(Replay.line(entry)).isEqualTo("2026-11-25T10:00:00.123Z  run wr-1  v4  StepCompleted  step 1"
                + "  attempt 2  output \"" + "x".repeat(80) + "\"… (100 chars)  extra {\"a\":1}  steps 2 step(s)");
    }
}
