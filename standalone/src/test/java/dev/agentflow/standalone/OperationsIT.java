package dev.agentflow.standalone;

import static dev.agentflow.standalone.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.web.security.ApiKeys;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * What an operator's tools see: the liveness and readiness probes through the start-up sequence
 * and while the broker is gone, health details for {@code admin} only, the engine's metrics on
 * {@code /actuator/prometheus} counting what a few runs did, a run's trace as an OpenTelemetry
 * collector receives it (an OTLP/HTTP receiver in the test), and a stop during an agent call. On a
 * broker of its own, which it stops.
 */
class OperationsIT {

    /** Every span the receiver got: its trace id (hex), name and attributes. */
    private record Received(String traceId, String name, Map<String, String> attributes) {
    }

    private static final ApiKeys.NewKey VIEWER = ApiKeys.generate();
    private static final ApiKeys.NewKey ADMIN = ApiKeys.generate();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)",
            Pattern.MULTILINE);
    /** A metric of the engine's, as the docs name it (histograms by their base name). */
    private static final Pattern METRIC = Pattern.compile("agentflow_[a-z_]+?(?=(_bucket|_count|_sum)?[^a-z_])");
    private static final List<Received> SPANS = new CopyOnWriteArrayList<>();
    private static final List<String> AGENT_TRACEPARENTS = new CopyOnWriteArrayList<>();

    @Test
    void probesFollowTheTopologiesAndTheBrokerTheMetricsCountTheRunsAndARunIsOneTrace() throws Exception {
        Path data = Files.createTempDirectory("agentflow-ops");
        int kafkaPort = Http.freePort();
        int controllerPort = Http.freePort();
        int httpPort = Http.freePort();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data.resolve("cluster"), kafkaPort, controllerPort);
        ExecutorService starter = Executors.newSingleThreadExecutor();
        HttpServer collector = collector();
        String collectorUrl = "http://127.0.0.1:" + collector.getAddress().getPort();
        ConfigurableApplicationContext app = null;
        try {
            String[] args = ApiKeyArgs.with(List.of(new ApiKeyArgs.Key("prometheus", VIEWER, "viewer"),
                            new ApiKeyArgs.Key("root", ADMIN, "admin")),
                    "--server.port=" + httpPort, "--agentflow.data-dir=" + data.resolve("app"),
                    "--agentflow.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort,
                    // the default (the tests' config/application.properties say 1 s): the stop waits for the call
                    "--agentflow.workers.shutdown-timeout=20s",
                    "--management.opentelemetry.tracing.export.otlp.endpoint=" + collectorUrl + "/v1/traces",
                    "--management.tracing.sampling.probability=1.0",
                    "--agentflow.agents[reviewer].type=http",
                    "--agentflow.agents[reviewer].url=" + collectorUrl + "/agent",
                    "--agentflow.agents[broken].type=http",
                    "--agentflow.agents[broken].url=" + collectorUrl + "/missing");
            Future<ConfigurableApplicationContext> starting = starter.submit(
                    () -> SpringApplication.run(AgentflowApplication.class, args));
            Http anonymous = new Http("http://127.0.0.1:" + httpPort);
            Http viewer = anonymous.withHeader("Authorization", "Bearer " + VIEWER.key());
            Http admin = anonymous.withHeader("Authorization", "Bearer " + ADMIN.key());

            // Start-up: no answer (the port opens once every topology runs), then ready and live
            List<Integer> readiness = new ArrayList<>();
            Awaitility.await("ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        readiness.add(status(anonymous, "/actuator/health/readiness"));
                        return readiness.get(readiness.size() - 1) == 200;
                    });
            app = starting.get(30, TimeUnit.SECONDS);
            assertThat(readiness.get(0)).as("no answer while the topologies start").isEqualTo(-1);
            assertThat(readiness.subList(0, readiness.size() - 1)).as("closed, or DOWN (503) until the application"
                    + " is ready").isSubsetOf(-1, 503);
            assertThat(anonymous.get("/actuator/health/liveness").body().path("status").asString()).isEqualTo("UP");

            // Anyone reads UP or DOWN; only admin sees the components
            assertThat(anonymous.get("/actuator/health/readiness").body().has("components")).isFalse();
            assertThat(viewer.get("/actuator/health/readiness").body().has("components")).isFalse();
            JsonNode detailed = admin.get("/actuator/health/readiness").body();
            assertThat(detailed.path("components").path("topologies").path("status").asString()).isEqualTo("UP");
            assertThat(detailed.path("components").path("topologies").path("details").path("run-decider")
                    .asString()).isEqualTo("RUNNING");
            assertThat(detailed.path("components").path("kafka").path("details").path("brokers").asInt()).isOne();
            assertThat(detailed.path("components").path("readinessState").path("status").asString()).isEqualTo("UP");

            // A few runs: two complete, two pause for approval, one of those is cancelled
            Runs runs = new Runs(admin);
            String echo = runs.workflow("echoes", List.of(step("echo", "a"), step("echo", "b")));
            String approval = runs.workflow("approvals", List.of(step("human_approval", "ok?")));
            for (int i = 0; i < 2; i++) {
                runs.awaitEnd(runs.start(echo, "in " + i), Duration.ofSeconds(60));
            }
            String paused = runs.start(approval, "x");
            String cancelled = runs.start(approval, "y");
            runs.awaitStatus(paused, "PAUSED", Duration.ofSeconds(60));
            runs.awaitStatus(cancelled, "PAUSED", Duration.ofSeconds(60));
            assertThat(admin.post("/api/v1/workflows/runs/" + cancelled + "/cancel", null).status()).isEqualTo(202);
            runs.awaitEnd(cancelled, Duration.ofSeconds(60));

            // and a record the run decider cannot read: a dead letter
            DeadLetterTopic.write("127.0.0.1:" + kafkaPort, Topics.defaults().runCommands().name(), "poison",
                    "{not json".getBytes(StandardCharsets.UTF_8));

            assertThat(anonymous.get("/actuator/prometheus").status()).as("metrics need viewer").isEqualTo(401);
            Awaitility.await("the runs counted").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String metrics = viewer.text("/actuator/prometheus");
                assertThat(value(metrics, "agentflow_runs_started_total", Map.of())).isEqualTo(4);
                assertThat(value(metrics, "agentflow_runs_ended_total", Map.of("status", "COMPLETED"))).isEqualTo(2);
                assertThat(value(metrics, "agentflow_runs_ended_total", Map.of("status", "CANCELLED"))).isEqualTo(1);
                assertThat(value(metrics, "agentflow_runs_paused", Map.of())).isEqualTo(1);
                assertThat(value(metrics, "agentflow_run_duration_seconds_count", Map.of("status", "COMPLETED")))
                        .isEqualTo(2);
                assertThat(value(metrics, "agentflow_step_duration_seconds_count",
                        Map.of("agent", "echo", "status", "COMPLETED"))).isEqualTo(4);
                assertThat(value(metrics, "agentflow_agent_calls_seconds_count",
                        Map.of("agent", "echo", "outcome", "output"))).isEqualTo(4);
                assertThat(value(metrics, "agentflow_agent_calls_seconds_count",
                        Map.of("agent", "human_approval", "outcome", "approval"))).isEqualTo(2);
                assertThat(value(metrics, "agentflow_agent_calls_in_flight", Map.of("agent", "echo"))).isZero();
                assertThat(value(metrics, "agentflow_dead_letters_total", Map.of("component",
                        "agentflow.run-decider"))).isEqualTo(1);
                assertThat(value(metrics, "agentflow_command_replies_seconds_count",
                        Map.of("command", "CancelRun", "outcome", "accepted"))).isEqualTo(1);
                assertThat(metrics).as("Kafka Streams' own metrics, consumer lag among them")
                        .contains("kafka_consumer_fetch_manager_records_lag_max", "spring_id=\"run-decider\"");
                // what the docs name is there
                for (String doc : List.of("grafana-dashboard.json", "operations.md")) {
                    Matcher named = METRIC.matcher(Files.readString(Path.of("..", "docs", doc)));
                    while (named.find()) {
                        assertThat(metrics).as("docs/%s names %s", doc, named.group()).contains(named.group());
                    }
                }
            });

            // A run is one trace, from its request to its last agent call
            String traced = runs.workflow("traced", List.of(step("echo", "first"), step("reviewer", "second")));
            String tracedRun = runs.start(traced, "in");
            assertThat(runs.awaitEnd(tracedRun, Duration.ofSeconds(60)).path("status").asString())
                    .isEqualTo("COMPLETED");
            Awaitility.await("the run's spans exported").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Received> ofRun = SPANS.stream().filter(s -> tracedRun.equals(s.attributes().get("runId")))
                        .toList();
                assertThat(ofRun).extracting(Received::name).contains("run-decider StartRun", "agent echo",
                        "run-decider RecordAgentResult", "agent reviewer");
                assertThat(ofRun).extracting(Received::traceId).as("one trace").containsOnly(ofRun.get(0).traceId());
                String trace = ofRun.get(0).traceId();
                assertThat(SPANS).as("the request that started it, in the same trace")
                        .anyMatch(s -> s.traceId().equals(trace) && s.name().startsWith("http post")
                                && String.valueOf(s.attributes().get("uri")).endsWith("/run"));
                assertThat(AGENT_TRACEPARENTS).as("the http agent was told the trace")
                        .anyMatch(parent -> parent.split("-")[1].equals(trace));
                assertThat(admin.get("/api/v1/workflows/runs/" + tracedRun).body().path("traceId").asString())
                        .as("the run's detail names its trace").isEqualTo(trace);
            });

            // A failed agent call is logged with its run, step and trace in the line's context
            ListAppender<ILoggingEvent> logged = new ListAppender<>();
            logged.start();
            Logger calls = (Logger) LoggerFactory.getLogger("dev.agentflow.processor.agent.AgentCalls");
            calls.addAppender(logged);
            try {
                String broken = runs.workflow("broken", List.of(Map.of("agentId", "broken", "action", "x",
                        "config", Map.of("maxAttempts", 1))));
                String failed = runs.start(broken, "in");
                JsonNode end = runs.awaitEnd(failed, Duration.ofSeconds(60));
                assertThat(end.path("status").asString()).isEqualTo("FAILED");
                assertThat(logged.list).filteredOn(e -> failed.equals(e.getMDCPropertyMap().get("runId")))
                        .singleElement().satisfies(e -> {
                            assertThat(e.getLevel()).isEqualTo(Level.WARN);
                            assertThat(e.getFormattedMessage()).startsWith("Agent broken failed attempt 1 of step 1");
                            assertThat(e.getMDCPropertyMap()).containsEntry("workflowId", broken)
                                    .containsEntry("step", "1").containsEntry("traceId", end.path("traceId").asString());
                        });
            } finally {
                calls.detachAppender(logged);
            }

            // The broker goes: not ready (still live); it comes back: ready again
            broker.close();
            broker = null;
            Awaitility.await("not ready without the broker").atMost(Duration.ofSeconds(30))
                    .until(() -> status(anonymous, "/actuator/health/readiness") == 503);
            assertThat(admin.get("/actuator/health/readiness").body().path("components").path("kafka")
                    .path("status").asString()).isEqualTo("DOWN");
            assertThat(status(anonymous, "/actuator/health/liveness")).isEqualTo(200);
            broker = EmbeddedKafkaBroker.start(data.resolve("cluster"), kafkaPort, controllerPort);
            Awaitility.await("ready again").atMost(Duration.ofSeconds(60))
                    .until(() -> status(anonymous, "/actuator/health/readiness") == 200);

            // A stop (SIGTERM closes the context) during an agent call: not ready at once, the call
            // ends, its result is written and its request committed before the process exits; after
            // the restart the run completes and the call is not made again
            String slow = runs.workflow("slow", List.of(
                    Map.of("agentId", "delay", "action", "wait", "config", Map.of("delayMs", 3000)),
                    step("echo", "after")));
            String during = runs.start(slow, "z");
            MeterRegistry first = app.getBean(MeterRegistry.class);
            Awaitility.await("the delay call in flight").atMost(Duration.ofSeconds(30))
                    .until(() -> delayCalls(first, "in flight") == 1);
            ConfigurableApplicationContext stopping = app;
            app = null;
            Future<?> stopped = starter.submit(stopping::close);
            Awaitility.await("not ready once the stop began").atMost(Duration.ofSeconds(5))
                    .until(() -> status(anonymous, "/actuator/health/readiness") != 200);
            assertThat(stopped.isDone()).as("the stop waits for the call in flight").isFalse();
            stopped.get(60, TimeUnit.SECONDS);
            app = starter.submit(() -> SpringApplication.run(AgentflowApplication.class, args)).get(120,
                    TimeUnit.SECONDS);
            JsonNode completed = runs.awaitEnd(during, Duration.ofSeconds(60));
            assertThat(completed.path("status").asString()).isEqualTo("COMPLETED");
            assertThat(completed.path("output").asString()).isEqualTo("z");
            // its result was written and its request's offset committed before the exit
            assertThat(delayCalls(app.getBean(MeterRegistry.class), "output")).as("not called again").isZero();
        } finally {
            starter.shutdownNow();
            if (app != null) {
                app.close();
            }
            // after the system: its exporter's last flush would retry a receiver gone for seconds
            collector.stop(0);
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** An OTLP/HTTP trace receiver at {@code /v1/traces}, and an http agent at {@code /agent} that notes its traceparent. */
    private static HttpServer collector() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
                for (ResourceSpans resource : request.getResourceSpansList()) {
                    for (ScopeSpans scope : resource.getScopeSpansList()) {
                        for (Span span : scope.getSpansList()) {
                            Map<String, String> attributes = new HashMap<>();
                            span.getAttributesList().forEach(kv -> attributes.put(kv.getKey(),
                                    kv.getValue().getStringValue()));
                            SPANS.add(new Received(HexFormat.of().formatHex(span.getTraceId().toByteArray()),
                                    span.getName(), attributes));
                        }
                    }
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/agent", exchange -> {
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            if (traceparent != null) {
                AGENT_TRACEPARENTS.add(traceparent);
            }
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"output\":\"reviewed\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** The delay agent's calls in flight ({@code "in flight"}), or ended in {@code outcome}, in this registry. */
    private static double delayCalls(MeterRegistry registry, String outcome) {
        if (outcome.equals("in flight")) {
            Gauge gauge = registry.find("agentflow.agent.calls.in.flight").tag("agent", "delay").gauge();
            return gauge == null ? 0 : gauge.value();
        }
        Timer timer = registry.find("agentflow.agent.calls").tags("agent", "delay", "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    /** The status of a GET, or -1 when nothing answers on the port. */
    private static int status(Http http, String path) {
        try {
            return http.get(path).status();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels} (Prometheus' text format). */
    static double value(String exposition, String name, Map<String, String> labels) {
        List<Double> found = new ArrayList<>();
        Matcher sample = SAMPLE.matcher(exposition);
        while (sample.find()) {
            String labelText = sample.group(3) == null ? "" : sample.group(3);
            if (sample.group(1).equals(name) && labels.entrySet().stream()
                    .allMatch(l -> labelText.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                found.add(Double.parseDouble(sample.group(4)));
            }
        }
        assertThat(found).as("%s%s in%n%s", name, labels, exposition.lines().filter(l -> l.startsWith(name))
                .toList()).hasSize(1);
        return found.get(0);
    }
}
