package dev.agentflow.bench;

import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The system's HTTP API, as a client uses it, timing every call. It speaks HTTP/1.1 over the JDK's
 * {@link HttpURLConnection}, whose connections are kept alive and reused: {@code java.net.http}'s
 * client, which the harness used before, added 2–3 ms to every request on 2 cores (its selector
 * thread hands each exchange over), more than the system took to answer a GET.
 */
final class Api {

    static {
        // one kept-alive connection per client thread (the JDK keeps 5 per host by default), and a
        // POST never sent twice behind the harness's back when a kept-alive connection was closed
        System.setProperty("http.maxConnections", "512");
        System.setProperty("sun.net.http.retryPost", "false");
    }

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private final String base;
    private final String apiKey;

    /** @param apiKey sent as a bearer token with every request; null: none */
    Api(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** An answer as it came: its status and body. */
    record Response(int status, String body) {
        JsonNode json() {
            return Json.mapper().readTree(body);
        }
    }

    /** One request, sent once: the answer whatever its status; an I/O failure (instance down) throws. */
    Response call(String method, String path, String body, String idempotencyKey) throws IOException {
        Answer answer = send(method, path, body, idempotencyKey);
        return new Response(answer.status(), answer.body());
    }

    String base() {
        return base;
    }

    /** An answer: its status, body and {@code Retry-After}. */
    private record Answer(int status, String body, String retryAfter) {
    }

    /** One request on a kept-alive connection; the body is read whole, so the connection is reused. */
    private Answer send(String method, String path, String body, String idempotencyKey) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        connection.setUseCaches(false);
        connection.setRequestMethod(method);
        if (apiKey != null) {
            connection.setRequestProperty("Authorization", "Bearer " + apiKey);
        }
        if (idempotencyKey != null) {
            connection.setRequestProperty("Idempotency-Key", "\"" + idempotencyKey + "\"");
        }
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(bytes.length);
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = connection.getResponseCode();
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(status, text, connection.getHeaderField("Retry-After"));
        }
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
        return startRun(workflowId, input, null, latency);
    }

    /** Starts a run under {@code idempotencyKey} (null: none); its runId. */
    String startRun(String workflowId, String input, String idempotencyKey, Stats latency) {
        ObjectNode body = Json.mapper().createObjectNode().put("input", input);
        return exchange("POST", "/api/v1/workflows/" + workflowId + "/run", body.toString(), idempotencyKey, 202,
                latency, 1_000_000).get("runId").asString();
    }

    void resume(String runId, String output, Stats latency) {
        ObjectNode body = Json.mapper().createObjectNode().put("output", output);
        post("/api/v1/workflows/runs/" + runId + "/resume", body, 202, latency);
    }

    /** GETs {@code path} (200 expected), adding its latency in microseconds to {@code micros}. */
    JsonNode get(String path, Stats micros) {
        return exchange("GET", path, null, null, 200, micros, 1_000);
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
        return exchange("POST", path, body.toString(), null, expected, latency, 1_000_000);
    }

    /**
     * Sends the request, again after {@code Retry-After} while the answer is 429, and adds its
     * latency to {@code latency} in units of {@code unitNanos}; the body of the expected answer.
     */
    private JsonNode exchange(String method, String path, String body, String idempotencyKey, int expected,
                              Stats latency, long unitNanos) {
        long start = System.nanoTime();
        Answer response;
        try {
            response = send(method, path, body, idempotencyKey);
            for (int retry = 0; response.status() == 429 && retry < MAX_429_RETRIES; retry++) {
                Thread.sleep(1000L * Long.parseLong(response.retryAfter() == null ? "1" : response.retryAfter()));
                response = send(method, path, body, idempotencyKey);
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
        if (response.status() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.status() + ": "
                    + response.body());
        }
        return Json.mapper().readTree(response.body());
    }
}
