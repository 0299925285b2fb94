package dev.agentflow.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * The harness's delay agent: an {@code http} agent (docs/agents.md) served by the harness itself,
 * so that every invocation is seen from outside the engine. It waits {@code delayMs}, then answers
 * its input unchanged, and records each call by run, step and attempt, with when it came.
 */
final class CountingAgent implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "counting-agent");
        t.setDaemon(true);
        return t;
    });
    private final long delayMs;
    private final Map<String, List<Long>> calls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger total = new AtomicInteger();

    CountingAgent(long delayMs) throws IOException {
        this.delayMs = delayMs;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.createContext("/agent", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/agent";
    }

    /** The system arguments that define this agent as {@code id} on an instance. */
    List<String> agentArgs(String id) {
        return List.of("--agentflow.agents." + id + ".type=http",
                "--agentflow.agents." + id + ".url=" + url(),
                "--agentflow.agents." + id + ".timeout=30s",
                "--agentflow.agents." + id + ".max-concurrency=256");
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        total.incrementAndGet();
        try (exchange) {
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = Json.mapper().readTree(in.readAllBytes());
            }
            String key = key(request.path("runId").asString(), request.path("stepOrder").asInt(),
                    request.path("attempt").asInt());
            calls.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(System.currentTimeMillis());
            Thread.sleep(delayMs);
            byte[] body = Json.mapper().createObjectNode().put("output", request.path("input").asString()).toString()
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the caller went away (its instance was killed mid-call): the call still counts
        } finally {
            inFlight.decrementAndGet();
        }
    }

    static String key(String runId, int stepOrder, int attempt) {
        return runId + "|" + stepOrder + "|" + attempt;
    }

    /** When each invocation of this step attempt came, in order (empty: never invoked). */
    List<Long> calls(String runId, int stepOrder, int attempt) {
        List<Long> times = calls.get(key(runId, stepOrder, attempt));
        if (times == null) {
            return List.of();
        }
        synchronized (times) {
            return List.copyOf(times);
        }
    }

    /** Calls so far. */
    int total() {
        return total.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
