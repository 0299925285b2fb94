package dev.agentflow.standalone;

import static dev.agentflow.standalone.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A run's trace, as an OpenTelemetry collector receives it (an OTLP/HTTP receiver in the test):
 * one trace id from the {@code POST …/run} through every decider hop and agent call, the W3C
 * {@code traceparent} sent on the call to an http agent, and the run's detail naming the trace.
 */
class TracingIT {

    /** Every span the receiver got: its trace id (hex), name and attributes. */
    private record Received(String traceId, String name, Map<String, String> attributes) {
    }

    private static final List<Received> SPANS = new CopyOnWriteArrayList<>();
    private static final List<String> AGENT_TRACEPARENTS = new CopyOnWriteArrayList<>();
    private static final HttpServer SERVER = server();

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("tracing",
            "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                    + SERVER.getAddress().getPort() + "/v1/traces",
            "--management.tracing.sampling.probability=1.0",
            "--agentflow.agents[reviewer].type=http",
            "--agentflow.agents[reviewer].url=http://127.0.0.1:" + SERVER.getAddress().getPort() + "/agent");

    @AfterAll
    static void stop() {
        SERVER.stop(0);
    }

    @Test
    void aRunIsOneTraceFromItsRequestToItsLastAgentCall() {
        Runs runs = new Runs(system.http());
        String workflow = runs.workflow("traced", List.of(step("echo", "first"), step("reviewer", "second")));
        String runId = runs.start(workflow, "in");
        JsonNode done = runs.awaitEnd(runId, Duration.ofSeconds(60));
        assertThat(done.path("status").asString()).isEqualTo("COMPLETED");

        Awaitility.await("the run's spans exported").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<Received> ofRun = SPANS.stream().filter(s -> runId.equals(s.attributes().get("runId"))).toList();
            assertThat(ofRun).extracting(Received::name).contains("run-decider StartRun", "agent echo",
                    "run-decider RecordAgentResult", "agent reviewer");
            assertThat(ofRun).extracting(Received::traceId).as("one trace").containsOnly(ofRun.get(0).traceId());
            String trace = ofRun.get(0).traceId();
            assertThat(SPANS).as("the request that started it, in the same trace")
                    .anyMatch(s -> s.traceId().equals(trace) && s.name().startsWith("http post")
                            && String.valueOf(s.attributes().get("uri")).endsWith("/run"));
            assertThat(AGENT_TRACEPARENTS).as("the http agent was told the trace")
                    .anyMatch(parent -> parent.split("-")[1].equals(trace));
            assertThat(system.http().get("/api/v1/workflows/runs/" + runId).body().path("traceId").asString())
                    .as("the run's detail names its trace").isEqualTo(trace);
        });
    }

    private static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/traces", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
                    for (ResourceSpans resource : request.getResourceSpansList()) {
                        for (ScopeSpans scope : resource.getScopeSpansList()) {
                            for (Span span : scope.getSpansList()) {
                                SPANS.add(new Received(HexFormat.of().formatHex(span.getTraceId().toByteArray()),
                                        span.getName(), attributes(span.getAttributesList())));
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> attributes(List<KeyValue> values) {
        java.util.HashMap<String, String> attributes = new java.util.HashMap<>();
        values.forEach(kv -> attributes.put(kv.getKey(), kv.getValue().getStringValue()));
        return attributes;
    }
}
