package dev.agentflow.standalone;

import dev.agentflow.schemas.json.Json;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples of the API reference ({@code docs/reference/workflows-api.md}, packaged with the
 * application), by operation: the JSON blocks of an endpoint's section before its
 * {@code **Response**} are request bodies (when it has one), the first after it the answer.
 */
record ReferenceExamples(List<Object> requests, Object response) {

    static final String RESOURCE = "/agentflow/reference/workflows-api.md";
    private static final Pattern ENDPOINT = Pattern.compile("```bash[^\\n]*\\n((?:GET|POST|PATCH|DELETE) /\\S+)\\n```");
    private static final Pattern JSON = Pattern.compile("```json[^\\n]*\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern VARIABLE = Pattern.compile("\\{[^}]+}");

    /** The examples by {@code METHOD path}, each path variable written {@code {}}; none without the reference. */
    static Map<String, ReferenceExamples> read() {
        try (InputStream in = ReferenceExamples.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Map.of() : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Map.of();
        }
    }

    static Map<String, ReferenceExamples> parse(String reference) {
        Map<String, ReferenceExamples> examples = new LinkedHashMap<>();
        for (String section : reference.split("\n## ")) {
            Matcher endpoint = ENDPOINT.matcher(section);
            if (!endpoint.find()) {
                continue;
            }
            // a section without a request body shows answers only
            int answer = section.contains("Request body") ? section.indexOf("**Response**") : 0;
            List<Object> requests = new ArrayList<>();
            Object response = null;
            Matcher json = JSON.matcher(section);
            while (json.find()) {
                Object value = Json.mapper().readValue(json.group(1).stripIndent(), Object.class);
                if (answer >= 0 && json.start() > answer) {
                    response = response == null ? value : response;
                } else {
                    requests.add(value);
                }
            }
            examples.put(VARIABLE.matcher(endpoint.group(1)).replaceAll("{}"), new ReferenceExamples(requests, response));
        }
        return examples;
    }

    /** Shows the examples on {@code operation}: its request body's, and its {@code status} answer's. */
    void addTo(Operation operation, String status) {
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            MediaType body = operation.getRequestBody().getContent().get("application/json");
            for (int i = 0; body != null && i < requests.size(); i++) {
                body.addExamples("reference" + (requests.size() > 1 ? "-" + (i + 1) : ""),
                        new Example().summary("From the API reference").value(requests.get(i)));
            }
        }
        ApiResponse answer = operation.getResponses() == null ? null : operation.getResponses().get(status);
        if (response != null && answer != null && answer.getContent() != null
                && answer.getContent().get("application/json") != null) {
            answer.getContent().get("application/json").addExamples("reference",
                    new Example().summary("From the API reference").value(response));
        }
    }
}
