package dev.agentflow.processor.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTP server on 127.0.0.1 for agent tests: each path answers from a queue of scripted
 * replies, then from its handler; every request is recorded. Speaks whatever the test scripts, with
 * helpers for the Chat Completions protocol.
 */
public final class LoopbackServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Queue<Function<Request, Reply>>> scripted = new ConcurrentHashMap<>();
    private final Map<String, Function<Request, Reply>> handlers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    /** One request as received. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {

        public JsonNode json() {
            return Json.mapper().readTree(body);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What to answer; {@code stall}: the headers and the body's start, then nothing until the server closes. */
    public record Reply(int status, Map<String, String> headers, String body, boolean stall, List<String> chunks,
                        java.util.function.IntConsumer beforeChunk) {

        public Reply(int status, Map<String, String> headers, String body, boolean stall) {
            this(status, headers, body, stall, null, null);
        }

        public Reply(int status, Map<String, String> headers, String body) {
            this(status, headers, body, false);
        }

        /**
         * A 200 sent in {@code chunks}, each written and flushed on its own after {@code beforeChunk}
         * (given its index; it may block, to hold the rest back) has run.
         */
        public static Reply streamed(String contentType, List<String> chunks, java.util.function.IntConsumer beforeChunk) {
            return new Reply(200, Map.of("Content-Type", contentType), "", false, List.copyOf(chunks), beforeChunk);
        }

        /** A 200 whose body never ends: the headers and a few bytes are sent, the rest never comes. */
        public static Reply stalled() {
            return new Reply(200, Map.of("Content-Type", "application/json"), "{\"output\":", true);
        }

        public static Reply json(String body) {
            return new Reply(200, Map.of("Content-Type", "application/json"), body);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> all = new HashMap<>(headers);
            all.put(name, value);
            return new Reply(status, all, body, stall, chunks, beforeChunk);
        }
    }

    private LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static LoopbackServer start() {
        try {
            return new LoopbackServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:port} followed by {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers every request to {@code path} not answered by a scripted reply. */
    public LoopbackServer handle(String path, Function<Request, Reply> handler) {
        handlers.put(path, handler);
        return this;
    }

    /** Answers the next requests to {@code path}, one reply each, in order. */
    public LoopbackServer enqueue(String path, Reply... replies) {
        Queue<Function<Request, Reply>> queue = scripted.computeIfAbsent(path, p -> new ArrayDeque<>());
        synchronized (queue) {
            for (Reply reply : replies) {
                queue.add(request -> reply);
            }
        }
        return this;
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            Function<Request, Reply> handler = null;
            Queue<Function<Request, Reply>> queue = scripted.get(request.path());
            if (queue != null) {
                synchronized (queue) {
                    handler = queue.poll();
                }
            }
            if (handler == null) {
                handler = handlers.getOrDefault(request.path(), r -> Reply.status(404, "{\"error\":\"no handler\"}"));
            }
            Reply reply = handler.apply(request);
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            if (reply.chunks() != null) {
                exchange.sendResponseHeaders(reply.status(), 0); // chunked
                for (int i = 0; i < reply.chunks().size(); i++) {
                    reply.beforeChunk().accept(i);
                    exchange.getResponseBody().write(reply.chunks().get(i).getBytes(StandardCharsets.UTF_8));
                    exchange.getResponseBody().flush();
                }
                return;
            }
            if (reply.stall()) {
                exchange.sendResponseHeaders(reply.status(), bytes.length + 1024);
                exchange.getResponseBody().write(bytes);
                exchange.getResponseBody().flush();
                awaitClose();
                return;
            }
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * A streamed Chat Completions answer (Server-Sent Events of chunks), one chunk per piece of
     * {@code pieces}, then {@code [DONE]}.
     */
    public static Reply chatStream(List<String> pieces, java.util.function.IntConsumer beforeChunk) {
        List<String> chunks = new ArrayList<>();
        for (String piece : pieces) {
            ObjectNode chunk = Json.mapper().createObjectNode().put("id", "chatcmpl-1")
                    .put("object", "chat.completion.chunk");
            chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", piece);
            chunks.add("data: " + chunk + "\n\n");
        }
        chunks.add("data: [DONE]\n\n");
        return Reply.streamed("text/event-stream", chunks, beforeChunk);
    }

    /** A Chat Completions answer whose message is {@code content}. */
    public static Reply chatAnswer(String content) {
        ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant").put("content", content);
        return Reply.json(completion(message).toString());
    }

    /** A Chat Completions answer that calls {@code tool} with {@code argumentsJson}, saying {@code content} first. */
    public static Reply chatToolCall(String content, String callId, String tool, String argumentsJson) {
        ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant").put("content", content);
        ArrayNode calls = message.putArray("tool_calls");
        calls.addObject().put("id", callId).put("type", "function").putObject("function").put("name", tool)
                .put("arguments", argumentsJson);
        return Reply.json(completion(message).toString());
    }

    private static ObjectNode completion(ObjectNode message) {
        ObjectNode body = Json.mapper().createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion")
                .put("model", "test-model");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason",
                message.has("tool_calls") ? "tool_calls" : "stop");
        choice.set("message", message);
        return body;
    }

    /** The content of the last message of a Chat Completions request. */
    public static String lastMessage(Request request) {
        ArrayNode messages = (ArrayNode) request.json().get("messages");
        return messages.get(messages.size() - 1).path("content").asString();
    }
}
