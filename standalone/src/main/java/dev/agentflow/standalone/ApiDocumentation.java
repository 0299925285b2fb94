package dev.agentflow.standalone;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * The API's OpenAPI 3.1 description at {@code /v3/api-docs} (springdoc, from the controllers), and
 * Swagger UI at {@code /swagger-ui.html}: what springdoc cannot see, added here. The bearer
 * credential every endpoint takes (API keys and JWTs, see docs/security.md); answers in JSON, or
 * Server-Sent Events from the streams (springdoc says any type).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BEARER = "bearer";

    private static final String[] WORKFLOWS = {"Workflows", "Workflow definitions: create, edit, clone, delete, "
            + "their steps and versions"};
    private static final String[] RUNS = {"Runs", "Runs: start, read, list, retry, fork, resume, cancel, delete"};
    private static final String[] EVENTS = {"Events", "Event histories, and live streams of runs (SSE)"};
    private static final String[] AGENTS = {"Agents", "The agents steps can name"};
    private static final String[] PAYLOADS = {"Payloads", "Payloads stored by reference, whole"};
    /** The tags (name, description) the description groups its operations by, in order. */
    private static final List<String[]> TAG_ORDER = List.of(WORKFLOWS, RUNS, EVENTS, AGENTS, PAYLOADS);
    /** springdoc's tag per controller, and the tag shown instead. */
    private static final Map<String, String[]> TAGS = Map.of(
            "workflow-query-controller", WORKFLOWS, "workflow-command-controller", WORKFLOWS,
            "run-command-controller", RUNS, "run-query-controller", RUNS, "event-controller", EVENTS,
            "payload-controller", PAYLOADS, "agent-controller", AGENTS);

    @Bean
    OpenApiCustomizer agentflowApi(ObjectProvider<BuildProperties> build) {
        return api -> {
            api.info(new Info().title("agentflow API")
                    .description("Workflows of AI agents as steps, run durably on Apache Kafka. "
                            + "See docs/api.md and docs/reference/workflows-api.md.")
                    .version(build.getIfAvailable() == null ? "dev" : build.getIfAvailable().getVersion()));
            api.tags(TAG_ORDER.stream().map(tag -> new Tag().name(tag[0]).description(tag[1])).toList());
            api.servers(null); // the server a client reached it on
            api.components(api.getComponents() == null ? new Components() : api.getComponents());
            api.getComponents().addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer").description("An API key, or a JWT of the configured issuer (once either is "
                            + "configured; an API open on loopback takes none)"));
            api.addSecurityItem(new SecurityRequirement().addList(BEARER));
            // the API writes an absent optional field as null: every field not required may be null
            if (api.getComponents().getSchemas() != null) {
                api.getComponents().getSchemas().values().forEach(ApiDocumentation::nullable);
            }
            api.getComponents().addSchemas(PROBLEM, problem());
            Map<String, ReferenceExamples> examples = ReferenceExamples.read();
            BODIES.forEach((name, schema) -> api.getComponents().addSchemas(name, schema));
            if (api.getPaths() != null) {
                api.getPaths().forEach((name, path) -> path.readOperationsMap().forEach((method, operation) -> {
                    // by what it is about, not by the controller springdoc found it on
                    if (operation.getTags() != null) {
                        operation.setTags(operation.getTags().stream()
                                .map(tag -> TAGS.containsKey(tag) ? TAGS.get(tag)[0] : tag).distinct().toList());
                    }
                    if (operation.getResponses() != null) {
                        String type = name.endsWith("/stream") ? "text/event-stream"
                                : name.startsWith("/api/v1/payloads") ? "text/plain" : "application/json";
                        operation.getResponses().values().forEach(response -> typed(response, type));
                    }
                    Op op = OPS.get(method + " " + name);
                    if (op != null) {
                        describe(operation, op, method);
                        ReferenceExamples shown = examples.get(method + " " + VARIABLE.matcher(name).replaceAll("{}"));
                        if (shown != null) {
                            shown.addTo(operation, Integer.toString(op.success()));
                        }
                    }
                }));
            }
        };
    }

    /** The problem+json of every error (RFC 9457), with the fields at fault. */
    static final String PROBLEM = "Problem";
    private static final Pattern VARIABLE = Pattern.compile("\\{[^}]+}");

    /**
     * What springdoc cannot see of an operation: its success status, its request body (the
     * controllers read bodies themselves, strictly), and the errors it answers besides those of
     * every operation (401, 403, 429, 503) and every write (413, 415).
     */
    private record Op(int success, String description, String body, int... errors) {
    }

    private static final Map<String, Op> OPS = Map.ofEntries(
            Map.entry("POST /api/v1/workflows", new Op(201, "The workflow created (Location: its URL)",
                    "CreateWorkflow", 400, 422)),
            Map.entry("GET /api/v1/workflows", new Op(200,
                    "A page of workflows, newest first (q: those whose name or description contains it)", null, 400)),
            Map.entry("GET /api/v1/workflows/{id}", new Op(200, "The workflow with its steps", null, 404)),
            Map.entry("PATCH /api/v1/workflows/{id}", new Op(200, "The workflow changed", "UpdateWorkflow", 400, 404)),
            Map.entry("DELETE /api/v1/workflows/{id}", new Op(204, "Deleted", null, 404)),
            Map.entry("GET /api/v1/workflows/{id}/versions", new Op(200, "A page of its definition's versions",
                    null, 400, 404)),
            Map.entry("GET /api/v1/workflows/{id}/versions/{version}", new Op(200, "That version of the definition",
                    null, 404)),
            Map.entry("GET /api/v1/workflows/{id}/steps", new Op(200, "Its steps, in order", null, 404)),
            Map.entry("POST /api/v1/workflows/{id}/steps", new Op(201, "The step added (Location: its URL)", "AddStep",
                    400, 404, 422)),
            Map.entry("GET /api/v1/workflows/{id}/steps/{stepId}", new Op(200, "The step", null, 404)),
            Map.entry("PATCH /api/v1/workflows/{id}/steps/{stepId}", new Op(200, "The step changed", "UpdateStep", 400,
                    404, 422)),
            Map.entry("DELETE /api/v1/workflows/{id}/steps/{stepId}", new Op(204, "Removed", null, 404)),
            Map.entry("POST /api/v1/workflows/{id}/clone", new Op(201, "The clone with its steps", null, 404)),
            Map.entry("POST /api/v1/workflows/{id}/run", new Op(202, "The run is started (Location: the run)",
                    "RunRequest", 400, 404, 422)),
            Map.entry("GET /api/v1/workflows/{workflowId}/runs", new Op(200,
                    "A page of its runs, newest first (status: in that status only)", null, 400, 404)),
            Map.entry("GET /api/v1/workflows/runs", new Op(200,
                    "A page of runs of every workflow, oldest first (order=newest: newest first; status: in that "
                            + "status only, PAUSED for the inbox)", null, 400)),
            Map.entry("GET /api/v1/me", new Op(200, "Who the caller is, their roles (the implied ones too) and "
                    + "whether a credential is needed; public", null)),
            Map.entry("GET /api/v1/workflows/runs/{runId}", new Op(200, "The run, its steps and its trace", null, 404)),
            Map.entry("POST /api/v1/workflows/runs/{runId}/resume", new Op(202, "The run goes on with this output",
                    "Resume", 400, 404, 409)),
            Map.entry("POST /api/v1/workflows/runs/{runId}/cancel", new Op(202, "The run is cancelled", "Cancel", 400,
                    404, 409)),
            Map.entry("POST /api/v1/workflows/runs/{runId}/retry", new Op(202, "The run goes on from its step", null,
                    404, 409)),
            Map.entry("POST /api/v1/workflows/runs/{runId}/fork", new Op(202, "A new run, from that step", "Fork", 400,
                    404, 422)),
            Map.entry("DELETE /api/v1/workflows/runs/{runId}", new Op(204, "The run is cancelled; it stays", null, 404,
                    409)),
            Map.entry("GET /api/v1/payloads/{payloadId}", new Op(200, "The payload whole (ETag: its SHA-256)", null,
                    404)),
            Map.entry("GET /api/v1/workflows/runs/{runId}/events", new Op(200, "The run's events so far", null, 400,
                    404)),
            Map.entry("GET /api/v1/workflows/{workflowId}/events", new Op(200, "The events of the workflow's runs",
                    null, 400, 404)),
            Map.entry("GET /api/v1/workflows/runs/{runId}/stream", new Op(200, "The run's events, live (SSE)", null,
                    400, 404)),
            Map.entry("GET /api/v1/workflows/{workflowId}/runs/stream", new Op(200,
                    "The events of the workflow's runs, live (SSE)", null, 400, 404)),
            Map.entry("GET /api/v1/agents", new Op(200, "The agents steps may name", null)),
            Map.entry("GET /api/v1/agents/{agentId}", new Op(200, "The agent", null, 404)),
            Map.entry("GET /api/agents", new Op(200, "The agents (the Agent Manager's path)", null)),
            Map.entry("GET /api/agents/{agentId}", new Op(200, "The agent (the Agent Manager's path)", null, 404)));

    /** Bodies that may be left out. */
    private static final Set<String> OPTIONAL_BODIES = Set.of("Cancel");

    /** The request bodies, as the controllers read them (unknown fields are refused). */
    private static final Map<String, Schema<?>> BODIES = Map.of(
            "CreateWorkflow", body(Map.of("name", string("Its name"), "description", string("What it is for")),
                    "name"),
            "UpdateWorkflow", body(Map.of("name", string("A new name"), "description",
                    string("A new description; null clears it"))),
            "AddStep", body(Map.of("agentId", string("The agent (GET /api/v1/agents)"), "action",
                    string("The instruction"), "stepOrder", integer("Where it goes (1..n+1); omitted: last"),
                    "config", new ObjectSchema().description("The agent's settings: timeoutMs, maxAttempts, "
                            + "retryBackoffMs, delayMs, …")), "agentId"),
            "UpdateStep", body(Map.of("agentId", string("Another agent"), "action",
                    string("Another instruction; null clears it"), "stepOrder", integer("Moves the step"),
                    "config", new ObjectSchema().description("Other settings; null empties them"))),
            "RunRequest", body(Map.of("input", string("The first step's input"), "sessionId",
                    string("Groups runs whose agents share a history; generated when omitted"), "definitionVersion",
                    integer("Runs this version of the definition; omitted: the latest")), "input"),
            "Resume", body(Map.of("output", string("The approved output of the paused step")), "output"),
            "Cancel", body(Map.of("reason", string("Why (at most 2000 characters); shown as the run's cancelReason"))),
            "Fork", body(Map.of("fromStep", integer("The first step the new run executes"), "input",
                    string("That step's input; omitted: the one it had"), "definitionVersion",
                    integer("The definition it runs; omitted: the latest"), "sessionId",
                    string("Its session; omitted: a new one")), "fromStep"));

    private static void describe(Operation operation, Op op, PathItem.HttpMethod method) {
        ApiResponses responses = operation.getResponses();
        ApiResponse success = responses.remove("200");
        if (success == null) {
            success = new ApiResponse();
        }
        success.setDescription(op.description());
        if (op.success() == 204) {
            success.setContent(null);
        }
        responses.addApiResponse(Integer.toString(op.success()), success);
        if (op.body() != null) {
            operation.setRequestBody(new RequestBody().required(!OPTIONAL_BODIES.contains(op.body()))
                    .content(new Content().addMediaType("application/json", new MediaType().schema(
                            new Schema<>().$ref("#/components/schemas/" + op.body())))));
        }
        Set<Integer> errors = new TreeSet<>(List.of(401, 403, 429, 503));
        for (int status : op.errors()) {
            errors.add(status);
        }
        if (method != PathItem.HttpMethod.GET) {
            errors.addAll(List.of(413, 415));
        }
        for (int status : errors) {
            responses.addApiResponse(Integer.toString(status), new ApiResponse()
                    .description(HttpStatus.valueOf(status).getReasonPhrase())
                    .content(new Content().addMediaType("application/problem+json",
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
        }
    }

    /** The fields of {@code schema} that are not required may be null (OpenAPI 3.1: a type of "null" too). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void nullable(Schema<?> schema) {
        if (schema.getProperties() == null) {
            return;
        }
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        Map<String, Schema> properties = new LinkedHashMap<>(schema.getProperties());
        properties.forEach((name, property) -> {
            if (required.contains(name)) {
                return;
            }
            if (property.get$ref() != null) {
                Schema either = new Schema<>();
                either.addOneOfItem(new Schema<>().$ref(property.get$ref()));
                Schema none = new Schema<>();
                none.addType("null");
                either.addOneOfItem(none);
                schema.getProperties().put(name, either);
            } else if (property.getTypes() != null && !property.getTypes().isEmpty()) {
                property.addType("null");
            }
        });
    }

    private static Schema<?> problem() {
        ObjectSchema field = new ObjectSchema();
        field.addProperty("field", string("The field at fault"));
        field.addProperty("message", string("What is wrong with it"));
        ObjectSchema problem = new ObjectSchema();
        problem.description("RFC 9457 problem details");
        problem.addProperty("type", string("A URI naming the kind of problem"));
        problem.addProperty("title", string("Its short name"));
        problem.addProperty("status", integer("The HTTP status"));
        problem.addProperty("detail", string("What happened, for a person"));
        problem.addProperty("instance", string("The request's path"));
        problem.addProperty("errors", new ArraySchema().items(field).description("The fields at fault"));
        problem.addProperty("invalidParams", new ArraySchema().items(field).description("The same, as RFC 7807's "
                + "example names them"));
        problem.required(List.of("title", "status"));
        return problem;
    }

    private static Schema<?> body(Map<String, Schema<?>> properties, String... required) {
        ObjectSchema body = new ObjectSchema();
        new TreeMap<>(properties).forEach(body::addProperty);
        if (required.length > 0) {
            body.required(List.of(required));
        }
        return body;
    }

    private static Schema<?> string(String description) {
        return new StringSchema().description(description);
    }

    private static Schema<?> integer(String description) {
        return new IntegerSchema().description(description);
    }

    /** {@code *}/{@code *} (springdoc's default) becomes {@code type}, what the endpoint answers. */
    private static void typed(ApiResponse response, String type) {
        Content content = response.getContent();
        if (content == null || !content.containsKey("*/*")) {
            return;
        }
        Map<String, MediaType> types = new LinkedHashMap<>(content);
        MediaType any = types.remove("*/*");
        Content typed = new Content();
        typed.addMediaType(type, any);
        types.forEach(typed::addMediaType);
        response.setContent(typed);
    }
}
