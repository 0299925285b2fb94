package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The API's OpenAPI description as a contract every integration test's answers are held to: each
 * answer {@link Http} receives from a documented operation must have a documented status, a
 * documented media type, and a JSON body its schema accepts (networknt's validator, OpenAPI 3.1
 * dialect). The description is read once, from the first system that serves it at
 * {@code /v3/api-docs}; the answers of every system are held to it (they run the same controllers).
 */
final class ApiContract {

    private static final String DOCUMENT = "https://agentflow.test/openapi.json";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * The description, read once per JVM from the first system that has it: every system of the
     * tests runs the same controllers (generating it is springdoc's slowest request, a second or two).
     */
    private static volatile ApiContract contract;
    /** Systems that describe no agentflow API (the services alone): asked once. */
    private static final Map<String, Boolean> UNDESCRIBED = new ConcurrentHashMap<>();
    private static final Pattern VARIABLE = Pattern.compile("\\{[^}]+}");
    private static final AtomicLong VALIDATED = new AtomicLong();

    private final JsonNode api;
    private final SchemaRegistry registry;
    private final Map<String, Pattern> templates = new ConcurrentHashMap<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ApiContract(String document) {
        this.api = Json.mapper().readTree(document);
        this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(DOCUMENT, document)));
        api.path("paths").propertyNames().forEach(path -> templates.put(path, regex(path)));
    }

    /** The paths a template names: each {@code {variable}} one segment. */
    private static Pattern regex(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher variable = VARIABLE.matcher(template);
        int last = 0;
        while (variable.find()) {
            regex.append(Pattern.quote(template.substring(last, variable.start()))).append("[^/]+");
            last = variable.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(template.substring(last))).toString());
    }

    /** Holds the answer to {@code method} {@code uri} to the description of the system at {@code base}. */
    static void check(String base, String method, URI uri, HttpResponse<String> response) {
        if (!uri.getPath().startsWith("/api/")) {
            return;
        }
        ApiContract known = contract;
        if (known == null && !UNDESCRIBED.containsKey(base)) {
            synchronized (ApiContract.class) {
                known = contract;
                if (known == null) {
                    known = load(base).orElse(null);
                    if (known == null) {
                        UNDESCRIBED.put(base, true);
                    }
                    contract = known;
                }
            }
        }
        if (known != null) {
            known.check(method, uri, response);
        }
    }

    private static Optional<ApiContract> load(String base) {
        try {
            HttpResponse<String> docs = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v3/api-docs"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            // the services alone (no ApiDocumentation) describe their controllers as springdoc sees them only
            return docs.statusCode() == 200 && docs.body().contains("\"agentflow API\"")
                    ? Optional.of(new ApiContract(docs.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void check(String method, URI uri, HttpResponse<String> response) {
        String path = uri.getPath();
        String template = templates.entrySet().stream().filter(t -> t.getValue().matcher(path).matches())
                // a literal segment wins over a variable: /workflows/runs is not /workflows/{id}
                .map(Map.Entry::getKey).min(Comparator.comparingLong(t -> VARIABLE.matcher(t).results().count()))
                .orElse(null);
        JsonNode operation = template == null ? null : api.path("paths").path(template).path(method.toLowerCase());
        if (operation == null || operation.isMissingNode()) {
            return; // no such operation: the framework's 404 or 405, which the description need not list
        }
        String status = Integer.toString(response.statusCode());
        String name = method + " " + template;
        JsonNode answer = operation.path("responses").path(status);
        assertThat(answer.isMissingNode()).as("%s answered %s, which its description does not list (%s)", name,
                status, operation.path("responses").propertyNames()).isFalse();
        String body = response.body();
        if (body == null || body.isEmpty() || !answer.has("content")) {
            return;
        }
        String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        assertThat(answer.path("content").has(type)).as("%s %s answered %s, which its description does not list (%s)",
                name, status, type, answer.path("content").propertyNames()).isTrue();
        if (!type.contains("json")) {
            return;
        }
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase() + "/responses/" + status
                + "/content/" + escape(type) + "/schema";
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOCUMENT + "#"
                + p.replace("{", "%7B").replace("}", "%7D"))));
        List<Error> errors = schema.validate(Json.mapper().readTree(body));
        VALIDATED.incrementAndGet();
        assertThat(errors).as("%s %s: the body against its description: %s", name, status,
                body.length() > 500 ? body.substring(0, 500) + "…" : body).isEmpty();
    }

    /** How many JSON answers were validated against a description in this JVM. */
    static long validated() {
        return VALIDATED.get();
    }

    private static String escape(String pointerPart) {
        return pointerPart.replace("~", "~0").replace("/", "~1");
    }
}
