package dev.agentflow.bench;

import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The system's HTTP API, as a client uses it, timing every call. */
final class Api {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;

    /** @param apiKey sent as a bearer token with every request; null: none */
    Api(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        return apiKey == null ? builder : builder.header("Authorization", "Bearer " + apiKey);
    }

    /** Creates a workflow of the given agents (action "{{input}}"), timing the create call. */
    String createWorkflow(String name, Stats createLatency, String... agents) {
        ObjectNode body = Json.mapper().createObjectNode().put("name", name);
        String id = post("/api/v1/workflows", body, 201, createLatency).get("id").asString();
        int order = 1;
        for (String agent : agents) {
            ObjectNode step = Json.mapper().createObjectNode().put("agentId", agent).put("action", "{{input}}")
                    .put("stepOrder", order++);
            post("/api/v1/workflows/" + id + "/steps", step, 201, null);
        }
        return id;
    }

    /** Starts a run; its runId. */
    String startRun(String workflowId, String input, Stats latency) {
        ObjectNode body = Json.mapper().createObjectNode().put("input", input);
        return post("/api/v1/workflows/" + workflowId + "/run", body, 202, latency).get("runId").asString();
    }

    void resume(String runId, String output, Stats latency) {
        ObjectNode body = Json.mapper().createObjectNode().put("output", output);
        post("/api/v1/workflows/runs/" + runId + "/resume", body, 202, latency);
    }

    /** GETs {@code path} (200 expected), adding its latency in microseconds to {@code micros}. */
    JsonNode get(String path, Stats micros) {
        HttpRequest request = request(path).GET().build();
        return exchange("GET", path, request, 200, micros, 1_000);
    }

    /** GETs the run every millisecond until it shows {@code status}. */
    void awaitRunStatus(String runId, String status, Duration timeout) throws InterruptedException {
        String path = "/api/v1/workflows/runs/" + runId;
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(path, null);
            if (status.equals(last.path("status").asString())) {
                return;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("run " + runId + " not " + status + " through the API within " + timeout
                + "; last: " + last);
    }

    /** GETs {@code path} every 100 ms until {@code done} holds for its answer. */
    void await(String path, Predicate<JsonNode> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(path, null);
            if (done.test(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("GET " + path + " did not reach the awaited answer within " + timeout
                + "; last: " + last);
    }

    /** Retries after {@code Retry-After} while the system answers 429 (backpressure), as a client should. */
    private static final int MAX_429_RETRIES = 60;

    private JsonNode post(String path, JsonNode body, int expected, Stats latency) {
        HttpRequest request = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return exchange("POST", path, request, expected, latency, 1_000_000);
    }

    /**
     * Sends the request, again after {@code Retry-After} while the answer is 429, and adds its
     * latency to {@code latency} in units of {@code unitNanos}; the body of the expected answer.
     */
    private JsonNode exchange(String method, String path, HttpRequest request, int expected, Stats latency,
                              long unitNanos) {
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
            for (int retry = 0; response.statusCode() == 429 && retry < MAX_429_RETRIES; retry++) {
                Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            }
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (latency != null) {
            latency.add((System.nanoTime() - start) / unitNanos);
        }
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Json.mapper().readTree(response.body());
    }
}
