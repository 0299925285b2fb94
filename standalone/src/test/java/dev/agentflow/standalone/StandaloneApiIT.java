package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The workflow-definition API end to end: the standalone system in this JVM, on a real KRaft broker. */
class StandaloneApiIT {

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("it", "--agentflow.limits.max-payload-bytes=1000000",
            "--agentflow.api.max-streams=2", "--agentflow.api.stream-heartbeat=200ms");
    private static final Http http = system.http();

    private static String create(String name) {
        Http.Response r = http.post("/api/v1/workflows", "{\"name\":\"" + name + "\",\"description\":\"d\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("id").asString();
    }

    @Test
    void referenceFlow() {
        Http.Response created = http.post("/api/v1/workflows", """
                {"name": "Tech News Briefing",
                 "description": "Searches for tech news, summarizes it, and drafts a newsletter section."}""");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asString();
        assertThat(id).startsWith("wf-").hasSizeGreaterThan(20);
        assertThat(created.header("Location")).isEqualTo("/api/v1/workflows/" + id);
        assertThat(created.body().get("name").asString()).isEqualTo("Tech News Briefing");
        assertThat(created.body().has("createdAt")).isTrue();
        assertThat(created.body().has("updatedAt")).isTrue();

        String[][] steps = {
                {"web_agent", "Search for the latest news about artificial intelligence in healthcare", "1"},
                {"procurator_assistant", "Summarize the search results into 3 bullet points", "2"},
                {"procurator_assistant", "Turn these bullet points into a 2-paragraph newsletter section", "3"}};
        for (String[] s : steps) {
            Http.Response step = http.post("/api/v1/workflows/" + id + "/steps",
                    "{\"agentId\":\"" + s[0] + "\",\"action\":\"" + s[1] + "\",\"stepOrder\":" + s[2] + "}");
            assertThat(step.status()).isEqualTo(201);
            assertThat(step.body().get("id").asString()).startsWith("step-");
            assertThat(step.body().get("stepOrder").asInt()).isEqualTo(Integer.parseInt(s[2]));
        }

        JsonNode list = http.get("/api/v1/workflows?page=0&size=20").body();
        assertThat(list.get("content").findValuesAsString("id")).contains(id);
        assertThat(list.has("totalElements")).isTrue();
        assertThat(list.has("totalPages")).isTrue();

        JsonNode one = http.get("/api/v1/workflows/" + id).body();
        assertThat(one.get("steps")).hasSize(3);
        assertThat(one.get("steps").get(1).get("agentId").asString()).isEqualTo("procurator_assistant");
        assertThat(http.get("/api/v1/workflows/" + id + "/steps").body()).hasSize(3);

        Http.Response patched = http.patch("/api/v1/workflows/" + id, "{\"name\":\"Daily Briefing\"}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body().get("name").asString()).isEqualTo("Daily Briefing");
        assertThat(patched.body().get("description").asString()).startsWith("Searches");

        Http.Response clone = http.post("/api/v1/workflows/" + id + "/clone", null);
        assertThat(clone.status()).isEqualTo(201);
        String cloneId = clone.body().get("id").asString();
        assertThat(cloneId).isNotEqualTo(id).startsWith("wf-");
        assertThat(clone.body().get("name").asString()).isEqualTo("Daily Briefing (Copy)");
        assertThat(clone.body().get("description").asString()).startsWith("Searches");
        JsonNode cloneSteps = http.get("/api/v1/workflows/" + cloneId + "/steps").body();
        assertThat(cloneSteps.findValuesAsString("action")).containsExactly(steps[0][1], steps[1][1], steps[2][1]);
        assertThat(cloneSteps.findValuesAsString("id")).doesNotContainAnyElementsOf(
                http.get("/api/v1/workflows/" + id + "/steps").body().findValuesAsString("id"));
        assertThat(http.get("/api/v1/workflows/" + id).body().get("name").asString()).isEqualTo("Daily Briefing");

        String firstStep = one.get("steps").get(0).get("id").asString();
        assertThat(http.delete("/api/v1/workflows/" + id + "/steps/" + firstStep).status()).isEqualTo(204);
        JsonNode after = http.get("/api/v1/workflows/" + id + "/steps").body();
        assertThat(after.findValuesAsString("agentId")).containsExactly("procurator_assistant", "procurator_assistant");
        assertThat(after.findValues("stepOrder").stream().map(JsonNode::asInt)).containsExactly(1, 2);

        assertThat(http.delete("/api/v1/workflows/" + id).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/workflows/" + id).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/workflows/" + id + "/steps").status()).isEqualTo(404);
        assertThat(http.patch("/api/v1/workflows/" + id, "{\"name\":\"x\"}").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/workflows/" + id + "/clone", null).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/workflows?size=1000").body().get("content").findValuesAsString("id"))
                .doesNotContain(id).contains(cloneId);
        assertThat(http.get("/api/v1/workflows/" + cloneId).status()).isEqualTo(200);
    }

    @Test
    void stepOrderInsertsAndAppends() {
        String id = create("order");
        String path = "/api/v1/workflows/" + id + "/steps";
        http.post(path, "{\"agentId\":\"echo\",\"action\":\"a\"}");
        http.post(path, "{\"agentId\":\"echo\",\"action\":\"b\"}");
        http.post(path, "{\"agentId\":\"echo\",\"action\":\"c\",\"stepOrder\":1}");
        http.post(path, "{\"agentId\":\"echo\",\"action\":\"d\",\"stepOrder\":4,\"config\":{\"timeoutMs\":5000}}");

        JsonNode list = http.get(path).body();
        assertThat(list.findValuesAsString("action")).containsExactly("c", "a", "b", "d");
        assertThat(list.get(3).get("config").get("timeoutMs").asInt()).isEqualTo(5000);

        Http.Response beyond = http.post(path, "{\"agentId\":\"echo\",\"action\":\"x\",\"stepOrder\":6}");
        assertThat(beyond.status()).isEqualTo(422);
        assertThat(beyond.contentType()).startsWith("application/problem+json");
        assertThat(beyond.body().get("errors").get(0).get("field").asString()).isEqualTo("stepOrder");
    }

    @Test
    void newestFirstWithPages() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create("page-" + i));
        }
        JsonNode all = http.get("/api/v1/workflows?page=0&size=1000").body();
        List<String> order = all.get("content").findValuesAsString("id");
        assertThat(order.indexOf(ids.get(2))).isLessThan(order.indexOf(ids.get(1)));
        assertThat(order.indexOf(ids.get(1))).isLessThan(order.indexOf(ids.get(0)));

        JsonNode page = http.get("/api/v1/workflows?page=1&size=2").body();
        assertThat(page.get("content")).hasSizeLessThanOrEqualTo(2);
        long total = page.get("totalElements").asLong();
        assertThat(page.get("totalPages").asInt()).isEqualTo((int) ((total + 1) / 2));
    }

    @Test
    void badInputIsAProblemNamingTheFieldAndWritesNoEvent() {
        String id = create("bad-input");
        String missing = "wf-doesNotExist0000000";
        long before = eventCount();
        Map<String, Object[]> cases = new java.util.LinkedHashMap<>();
        cases.put("missing name", new Object[]{"/api/v1/workflows", "{\"description\":\"x\"}", 400, "name"});
        cases.put("blank name", new Object[]{"/api/v1/workflows", "{\"name\":\"   \"}", 400, "name"});
        cases.put("long name", new Object[]{"/api/v1/workflows", "{\"name\":\"" + "n".repeat(201) + "\"}", 400, "name"});
        cases.put("malformed", new Object[]{"/api/v1/workflows", "{\"name\": \"x\"", 400, "body"});
        cases.put("not an object", new Object[]{"/api/v1/workflows", "[1,2]", 400, "body"});
        cases.put("no body", new Object[]{"/api/v1/workflows", "", 400, "body"});
        cases.put("name type", new Object[]{"/api/v1/workflows", "{\"name\": 42}", 400, "name"});
        cases.put("description type", new Object[]{"/api/v1/workflows", "{\"name\":\"x\",\"description\":{}}", 400,
                "description"});
        String steps = "/api/v1/workflows/" + id + "/steps";
        cases.put("missing agentId", new Object[]{steps, "{\"action\":\"a\"}", 400, "agentId"});
        cases.put("action type", new Object[]{steps, "{\"agentId\":\"echo\",\"action\":false}", 400, "action"});
        cases.put("stepOrder below 0", new Object[]{steps, "{\"agentId\":\"echo\",\"action\":\"a\",\"stepOrder\":-1}",
                400, "stepOrder"});
        cases.put("stepOrder type", new Object[]{steps, "{\"agentId\":\"echo\",\"action\":\"a\",\"stepOrder\":\"1\"}",
                400, "stepOrder"});
        cases.put("stepOrder fraction", new Object[]{steps,
                "{\"agentId\":\"echo\",\"action\":\"a\",\"stepOrder\":1.5}", 400, "stepOrder"});
        cases.put("config type", new Object[]{steps, "{\"agentId\":\"echo\",\"action\":\"a\",\"config\":[1]}", 400,
                "config"});
        cases.put("beyond last+1", new Object[]{steps, "{\"agentId\":\"echo\",\"action\":\"a\",\"stepOrder\":2}", 422,
                "stepOrder"});
        cases.put("unknown workflow step", new Object[]{"/api/v1/workflows/" + missing + "/steps",
                "{\"agentId\":\"echo\",\"action\":\"a\"}", 404, "workflowId"});
        cases.put("unknown clone", new Object[]{"/api/v1/workflows/" + missing + "/clone", null, 404, "workflowId"});

        cases.forEach((name, c) -> {
            Http.Response r = http.post((String) c[0], (String) c[1]);
            assertProblem(name, r, (int) c[2], (String) c[3]);
        });
        assertProblem("patch blank name", http.patch("/api/v1/workflows/" + id, "{\"name\":\"\"}"), 400, "name");
        assertProblem("patch null name", http.patch("/api/v1/workflows/" + id, "{\"name\":null}"), 400, "name");
        assertProblem("patch unknown", http.patch("/api/v1/workflows/" + missing, "{\"name\":\"x\"}"), 404,
                "workflowId");
        assertProblem("get unknown", http.get("/api/v1/workflows/" + missing), 404, "workflowId");
        assertProblem("steps of unknown", http.get("/api/v1/workflows/" + missing + "/steps"), 404, "workflowId");
        assertProblem("delete unknown", http.delete("/api/v1/workflows/" + missing), 404, "workflowId");
        assertProblem("delete unknown step", http.delete(steps + "/step-nope"), 404, "stepId");
        assertProblem("bad page", http.get("/api/v1/workflows?page=-1"), 400, "page");
        assertProblem("bad size", http.get("/api/v1/workflows?size=abc"), 400, "size");
        byte[] longName = ("{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}").getBytes();
        assertProblem("name of 1 MiB", http.postBytes("/api/v1/workflows", longName), 400, "name");
        byte[] big = ("{\"name\":\"" + "x".repeat(2_100_000) + "\"}").getBytes();
        assertProblem("body over the limit (twice max-payload-bytes, plus 64 KiB)",
                http.postBytes("/api/v1/workflows", big), 413, "body");


        assertThat(eventCount()).as("events written by rejected commands").isEqualTo(before);
        assertThat(http.get("/api/v1/workflows/" + id + "/steps").body()).isEmpty();
    }

    @Test
    void requestsRefusedBeforeAnyControllerAreProblemsTooAndWriteNoEvent() {
        String id = create("edges");
        String json = "{\"name\":\"x\"}";
        RawResponse ok = raw("POST /api/v1/workflows", "application/json; charset=utf-8", json, null);
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(ok.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(ok.header("x-frame-options")).isEqualTo("DENY");
        assertThat(ok.header("content-security-policy")).contains("default-src 'none'");
        long before = eventCount();
        Map<String, Object[]> cases = new java.util.LinkedHashMap<>();
        cases.put("encoded slash", new Object[]{"GET /api/v1/workflows/a%2fb", null, null, 400});
        cases.put("encoded NUL", new Object[]{"GET /api/v1/workflows/%00", null, null, 400});
        cases.put("invalid UTF-8", new Object[]{"GET /api/v1/workflows/%ff", null, null, 400});
        cases.put("encoded dot-dot-slash", new Object[]{"GET /api/v1/workflows/..%2f" + id, null, null, 400});
        cases.put("matrix parameter", new Object[]{"GET /api/v1/workflows;x=1", null, null, 400});
        cases.put("double slash", new Object[]{"GET /api/v1//workflows", null, null, 400});
        cases.put("encoded dots", new Object[]{"GET /api/v1/workflows/%2e%2e/x", null, null, 400});
        cases.put("encoded backslash", new Object[]{"GET /api/v1/workflows/a%5cb", null, null, 400});
        cases.put("encoded percent", new Object[]{"GET /api/v1/workflows/%25", null, null, 400});
        cases.put("TRACE", new Object[]{"TRACE /api/v1/workflows", null, null, 405});
        cases.put("CONNECT", new Object[]{"CONNECT /api/v1/workflows", null, null, 501});
        cases.put("GET /error", new Object[]{"GET /error", null, null, 404});
        cases.put("POST /error", new Object[]{"POST /error", "application/json", json, 404});
        cases.put("multipart", new Object[]{"POST /api/v1/workflows", "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n", 415});
        cases.put("text/plain JSON", new Object[]{"POST /api/v1/workflows", "text/plain", json, 415});
        cases.put("form", new Object[]{"POST /api/v1/workflows/" + id + "/clone", "application/x-www-form-urlencoded",
                "a=b", 415});
        cases.put("JSON without a type", new Object[]{"POST /api/v1/workflows", null, json, 415});
        cases.forEach((name, c) -> {
            RawResponse r = raw((String) c[0], (String) c[1], (String) c[2], null);
            assertThat(r.status()).as(name + ": " + r.body()).isEqualTo((int) c[3]);
            assertThat(r.header("content-type")).as(name).startsWith("application/problem+json");
            assertThat(r.header("x-content-type-options")).as(name + ": security headers").isEqualTo("nosniff");
            JsonNode problem = Json.mapper().readTree(r.body());
            assertThat(problem.path("status").asInt()).as(name).isEqualTo((int) c[3]);
            assertThat(problem.path("detail").asString()).as(name).isNotBlank()
                    .doesNotContain("Exception", "\tat ", "Tomcat");
        });
        RawResponse crossSite = raw("POST /api/v1/workflows", "application/json", json, "http://evil.example");
        assertThat(crossSite.status()).as(crossSite.body()).isEqualTo(403);
        assertThat(crossSite.header("content-type")).startsWith("application/problem+json");
        int port = java.net.URI.create(http.base()).getPort();
        RawResponse rebound = raw("POST /api/v1/workflows", "application/json", json, "http://evil.example:" + port,
                "evil.example:" + port);
        assertThat(rebound.status()).as("a page whose name was rebound to 127.0.0.1: " + rebound.body())
                .isEqualTo(403);
        assertThat(rebound.body()).contains("answers only requests addressed to localhost");
        assertThat(raw("GET /api/v1/workflows", null, null, null, "localhost:" + port).status()).isEqualTo(200);
        assertThat(raw("GET /api/v1/workflows", null, null, null, "[::1]:" + port).status()).isEqualTo(200);
        RawResponse options = raw("OPTIONS /api/v1/workflows", null, null, null);
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("allow")).contains("GET", "POST");

        assertThat(eventCount()).as("events written by refused requests").isEqualTo(before);
    }

    /** The jar's settings (which this in-process system runs on) listen on loopback only. */
    @Test
    void byDefaultTheApiListensOnLoopbackOnly() throws java.io.IOException {
        java.util.Optional<java.net.InetAddress> external = SecureDefaultsIT.externalAddress();
        int port = java.net.URI.create(http.base()).getPort();
        assertThat(SecureDefaultsIT.reachable(java.net.InetAddress.getLoopbackAddress(), port)).isTrue();
        if (external.isPresent()) {
            assertThat(SecureDefaultsIT.reachable(external.get(), port)).as("the API on " + external.get()).isFalse();
        }
    }

    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** One HTTP/1.1 request written byte for byte, as no HTTP client library would send it. */
    private static RawResponse raw(String requestLine, String contentType, String body, String origin) {
        java.net.URI base = java.net.URI.create(http.base());
        return raw(requestLine, contentType, body, origin, base.getHost() + ":" + base.getPort());
    }

    private static RawResponse raw(String requestLine, String contentType, String body, String origin, String host) {
        java.net.URI base = java.net.URI.create(http.base());
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: ").append(host)
                    .append("\r\nConnection: close\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            if (origin != null) {
                head.append("Origin: ").append(origin).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(content.length).append("\r\n");
            }
            java.io.OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            String rest = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                StringBuilder joined = new StringBuilder();
                int at = 0;
                while (true) {
                    int lineEnd = rest.indexOf("\r\n", at);
                    int size = Integer.parseInt(rest.substring(at, lineEnd).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    joined.append(rest, lineEnd + 2, lineEnd + 2 + size);
                    at = lineEnd + 2 + size + 2;
                }
                rest = joined.toString();
            }
            return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), headers, rest);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRunInputOverThePayloadLimitIs413AndStartsNothing() {
        String id = create("too large");
        assertThat(http.post("/api/v1/workflows/" + id + "/steps", "{\"agentId\":\"echo\",\"action\":\"x\"}")
                .status()).isEqualTo(201);

        Http.Response tooLarge = http.post("/api/v1/workflows/" + id + "/run",
                "{\"input\":\"" + "é".repeat(500_001) + "\"}");

        assertProblem("input over max-payload-bytes", tooLarge, 413, "input");
        assertThat(tooLarge.body().get("detail").asString()).isEqualTo("input is 1000002 bytes, over the limit of"
                + " 1000000 bytes (agentflow.limits.max-payload-bytes)");
        assertThat(http.get("/api/v1/workflows/" + id + "/runs").body().get("totalElements").asLong()).isZero();
        assertThat(http.post("/api/v1/workflows/" + id + "/run", "{\"input\":\"" + "é".repeat(500_000) + "\"}")
                .status()).as("at the limit").isEqualTo(202);
    }

    @Test
    void eventStreamsPastTheCapAre429UntilOneCloses() {
        String id = create("streams");
        assertThat(http.post("/api/v1/workflows/" + id + "/steps",
                "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}").status()).isEqualTo(201);
        String runId = http.post("/api/v1/workflows/" + id + "/run", "{\"input\":\"x\"}").body().get("runId")
                .asString();
        String url = http.base() + "/api/v1/workflows/runs/" + runId + "/stream";
        try (Sse first = Sse.open(url, null); Sse second = Sse.open(url, null)) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);

            Http.Response third = http.get("/api/v1/workflows/runs/" + runId + "/stream");

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.contentType()).startsWith("application/problem+json");
            assertThat(third.header("Retry-After")).isEqualTo("1");
            assertThat(third.body().get("detail").asString()).contains("agentflow.api.max-streams");
            first.close();
            Awaitility.await("a stream closed by its client frees its place").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        try (Sse again = Sse.open(url, null)) {
                            return again.status() == 200;
                        }
                    });
        }
    }

    private static void assertProblem(String name, Http.Response r, int status, String field) {
        assertThat(r.status()).as(name + ": " + r.raw().body()).isEqualTo(status);
        assertThat(r.contentType()).as(name).startsWith("application/problem+json");
        assertThat(r.body().get("status").asInt()).as(name).isEqualTo(status);
        assertThat(r.body().get("title").asString()).as(name).isNotBlank();
        assertThat(r.body().get("detail").asString()).as(name).isNotBlank().doesNotContain("Exception", "\tat ");
        assertThat(r.body().get("errors").findValuesAsString("field")).as(name).contains(field);
    }

    @Test
    void twentyConcurrentClientsReadTheirWrites() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<String>> clients = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        String name = "client-" + client + "-" + round;
                        String id = create(name);
                        assertThat(http.get("/api/v1/workflows/" + id).body().get("name").asString()).isEqualTo(name);
                        assertThat(http.get("/api/v1/workflows?size=1000").body().get("content")
                                .findValuesAsString("id")).contains(id);
                        http.post("/api/v1/workflows/" + id + "/steps", "{\"agentId\":\"echo\",\"action\":\"a\"}");
                        assertThat(http.get("/api/v1/workflows/" + id + "/steps").body()).hasSize(1);
                        http.patch("/api/v1/workflows/" + id, "{\"description\":\"changed\"}");
                        assertThat(http.get("/api/v1/workflows/" + id).body().get("description").asString())
                                .isEqualTo("changed");
                        assertThat(http.delete("/api/v1/workflows/" + id).status()).isEqualTo(204);
                        assertThat(http.get("/api/v1/workflows/" + id).status()).isEqualTo(404);
                    }
                    return "ok";
                }));
            }
            for (Future<String> f : clients) {
                assertThat(f.get()).isEqualTo("ok");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Committed records on the workflow-events topic. */
    private static long eventCount() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            String topic = new Topics(system.topicPrefix(), Topics.DEFAULT_PARTITIONS).workflowEvents().name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
