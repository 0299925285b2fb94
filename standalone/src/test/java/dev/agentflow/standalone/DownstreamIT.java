package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import example.RunCompletionsConsumer.Completion;
import example.RunCompletionsConsumer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * What a reader outside the engine sees on a real broker: the {@code replay} tool in a second JVM,
 * a stock Kafka console consumer, and the example consumer that knows only the published schemas.
 * Three runs are made once: a completed one, a paused-then-resumed one (after {@link #between}),
 * and a cancelled one.
 */
class DownstreamIT {

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("downstream");
    private static String bootstrap;
    private static String prefix;
    private static String firstWorkflow;
    private static String firstRun;
    private static String bigWorkflow;
    private static String bigRun;
    private static String secondWorkflow;
    private static String resumedRun;
    private static String cancelledRun;
    private static Instant between;
    private static final String BIG_INPUT = "AI news ".repeat(3000);
    private static final List<Completion> completions = new CopyOnWriteArrayList<>();
    private static RunCompletionsConsumer example;
    private static Thread exampleThread;

    @BeforeAll
    static void start() throws Exception {
        bootstrap = system.bootstrap();
        prefix = system.topicPrefix();
        Http http = system.http();
        Runs flows = system.runs();

        example = new RunCompletionsConsumer(bootstrap, prefix + "run-events", prefix + "payloads",
                "downstream-it");
        exampleThread = new Thread(() -> example.run(completions::add), "run-completions-example");
        exampleThread.start();

        firstWorkflow = flows.workflow("downstream",
                "{\"agentId\":\"template\",\"action\":\"Search results for {{input}}\"}",
                "{\"agentId\":\"template\",\"action\":\"Newsletter: {{input}}\"}");
        firstRun = flows.start(firstWorkflow, "AI news");
        flows.awaitStatus(firstRun, "COMPLETED", Duration.ofSeconds(30));
        bigWorkflow = flows.workflow("downstream", "{\"agentId\":\"template\",\"action\":\"Big: {{input}}\"}");
        Http.Response big = http.post("/api/v1/workflows/" + bigWorkflow + "/run",
                "{\"input\":\"" + BIG_INPUT + "\"}");
        assertThat(big.status()).isEqualTo(202);
        bigRun = big.body().get("runId").asString();
        flows.awaitStatus(bigRun, "COMPLETED", Duration.ofSeconds(30));

        between = Instant.now();
        secondWorkflow = flows.workflow("downstream", "{\"agentId\":\"template\",\"action\":\"Summary: {{input}}\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"Approve the summary\"}");
        resumedRun = flows.start(secondWorkflow, "AI news");
        flows.awaitStatus(resumedRun, "PAUSED", Duration.ofSeconds(30));
        assertThat(http.post("/api/v1/workflows/runs/" + resumedRun + "/resume",
                "{\"output\":\"Approved \\\"summary\\\"\"}").status()).isEqualTo(202);
        flows.awaitStatus(resumedRun, "COMPLETED", Duration.ofSeconds(30));
        cancelledRun = flows.start(secondWorkflow, "AI news");
        flows.awaitStatus(cancelledRun, "PAUSED", Duration.ofSeconds(30));
        assertThat(http.post("/api/v1/workflows/runs/" + cancelledRun + "/cancel", null).status()).isEqualTo(202);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (example != null) {
            example.close();
            exampleThread.join(10_000);
        }
    }

    @Test
    void replayPrintsARunsTimelineFromAnotherProcess() {
        Result replay = java("dev.agentflow.standalone.AgentflowApplication",
                "replay", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--run", firstRun);

        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.lines()).hasSize(6);
        assertThat(replay.lines()).extracting(DownstreamIT::type).containsExactly("RunStarted",
                "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "RunCompleted");
        assertThat(replay.lines().get(0)).matches("\\S+Z  run " + firstRun + "  v1  RunStarted  .*")
                .contains("workflowId \"" + firstWorkflow + "\"", "2 step(s)");
        assertThat(replay.lines().get(2)).matches("\\S+Z  run " + firstRun + "  v3  StepCompleted  by anonymous  step 1  attempt 1"
                + "  output \"Search results for AI news\"");
        assertThat(replay.lines().get(5))
                .endsWith("v6  RunCompleted  by anonymous  output \"Newsletter: Search results for AI news\"");
        assertThat(replay.lines()).map(l -> Instant.parse(l.substring(0, l.indexOf(' ')))).isSorted();
    }

    @Test
    void replayShowsAPauseAndItsResume() {
        Result replay = java("dev.agentflow.standalone.AgentflowApplication",
                "replay", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--run", resumedRun);

        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.lines()).extracting(DownstreamIT::type).containsExactly("RunStarted",
                "StepStarted", "StepCompleted", "StepStarted", "RunPaused", "RunResumed", "StepCompleted",
                "RunCompleted");
        assertThat(replay.lines().get(4)).contains("RunPaused  by anonymous  step 2  approval {\"proposedOutput\":\"Summary: AI news\"");
        assertThat(replay.lines().get(5)).endsWith("RunResumed  by anonymous  step 2  output \"Approved \\\"summary\\\"\"");
    }

    @Test
    void replayOfAWorkflowAsJsonLinesSinceAnInstant() {
        Result all = java("dev.agentflow.standalone.AgentflowApplication",
                "replay", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--workflow", secondWorkflow, "--json");
        assertThat(all.exitCode()).as(all.err()).isZero();
        List<JsonNode> events = all.lines().stream().map(Json.mapper()::readTree).toList();
        assertThat(events).extracting(e -> e.get("aggregateId").asString())
                .containsOnly(secondWorkflow, resumedRun, cancelledRun);
        assertThat(events).extracting(e -> e.get("type").asString())
                .startsWith("WorkflowCreated", "StepAdded", "StepAdded", "RunStarted")
                .contains("RunResumed", "RunCancelled")
                .doesNotContain("RunFailed");
        assertThat(events).allSatisfy(e -> assertThat(e.get("schemaVersion").asInt()).isEqualTo(1));

        Result since = java("dev.agentflow.standalone.AgentflowApplication",
                "replay", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--since", between.toString(), "--json");
        assertThat(since.exitCode()).as(since.err()).isZero();
        assertThat(since.lines().stream().map(Json.mapper()::readTree).map(e -> e.get("aggregateId").asString()))
                .doesNotContain(firstWorkflow, firstRun)
                .contains(secondWorkflow, resumedRun, cancelledRun);
        assertThat(since.lines()).isEqualTo(all.lines());
    }

    @Test
    void badOptionsExitWithUsageBeforeAnythingStarts() {
        Result replay = java("dev.agentflow.standalone.AgentflowApplication",
                "replay", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--since", "yesterday");

        assertThat(replay.exitCode()).isEqualTo(2);
        assertThat(replay.out()).isEmpty();
        assertThat(replay.err()).contains("--since needs an ISO-8601 UTC instant", "Usage: java -jar agentflow.jar replay");
    }

    @Test
    void aStockConsoleConsumerReadsSelfDescribingJson() {
        // RunStarted, two steps started and completed, RunCompleted; the big run's 4; + RunPaused, RunResumed;
        // 4 + RunPaused, RunCancelled
        int runEvents = 6 + 4 + 8 + 6;
        // Asks for more than there are: it stops after 5 s without a new one, with exactly what there is
        Result console = java("org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--bootstrap-server", bootstrap, "--topic", prefix + "run-events", "--from-beginning",
                "--max-messages", Integer.toString(runEvents + 10), "--timeout-ms", "5000",
                "--isolation-level", "read_committed", "--formatter-property", "print.key=true");

        assertThat(console.exitCode()).as(console.err()).isZero();
        assertThat(console.lines()).hasSize(runEvents);
        for (String line : console.lines()) {
            String[] keyAndValue = line.split("\t", 2);
            JsonNode event = Json.mapper().readTree(keyAndValue[1]);
            assertThat(event.get("aggregateId").asString()).isEqualTo(keyAndValue[0]);
            assertThat(event.get("type").asString()).isIn("RunStarted", "StepStarted", "StepCompleted", "RunPaused",
                    "RunResumed", "RunCompleted", "RunCancelled");
            assertThat(event.get("schemaVersion").asInt()).as("2 only where a payload travels by reference")
                    .isEqualTo(keyAndValue[0].equals(bigRun) ? 2 : 1);
            assertThat(event.get("data").get("runId").asString()).isEqualTo(keyAndValue[0]);
        }
    }

    @Test
    void theExampleConsumerReportsEveryRunThatEnded() {
        Awaitility.await("four completions").atMost(Duration.ofSeconds(20))
                .until(() -> completions.size() >= 4);

        Map<String, Completion> byRun = new HashMap<>();
        completions.forEach(c -> byRun.put(c.runId(), c));
        assertThat(byRun).containsOnlyKeys(firstRun, bigRun, resumedRun, cancelledRun);
        assertThat(byRun.get(firstRun).status()).isEqualTo("COMPLETED");
        assertThat(byRun.get(firstRun).output()).isEqualTo("Newsletter: Search results for AI news");
        assertThat(byRun.get(bigRun).output()).as("an output stored by reference, read from the payload topic")
                .isEqualTo("Big: " + BIG_INPUT);
        assertThat(byRun.get(resumedRun).status()).isEqualTo("COMPLETED");
        assertThat(byRun.get(cancelledRun).status()).isEqualTo("CANCELLED");
    }

    private static String type(String timelineLine) {
        return timelineLine.split(" {2}")[3];
    }

    record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : out.lines().toList();
        }
    }

    /** Runs a main class of the test classpath in a second JVM, as a user would from a shell. */
    private static Result java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                // the tools' own logging setup: warnings to stderr, so stdout is only what they print
                "-Dlogback.configurationFile=dev/agentflow/standalone/cli/logback-cli.xml", mainClass));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("downstream", ".out");
            Path err = Files.createTempFile("downstream", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(mainClass + " did not end: " + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
