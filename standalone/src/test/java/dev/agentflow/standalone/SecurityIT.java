package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.agentflow.web.security.ApiKeys;
import dev.agentflow.web.security.EndpointRoles;
import dev.agentflow.web.security.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The API with authentication on: API keys for each role and JWTs signed by a key served from a
 * local JWK set endpoint. Each endpoint answers a caller without credentials 401, a caller without
 * the role 403 (problem+json, naming the role), and records who did what.
 */
class SecurityIT {

    private static final Pattern REFERENCE_ROW = Pattern.compile("^\\| `(GET|POST|PATCH|DELETE|PUT)`\\s*\\| `([^`]+)`",
            Pattern.MULTILINE);
    private static final ApiKeys.NewKey VIEWER = ApiKeys.generate();
    private static final ApiKeys.NewKey OPERATOR = ApiKeys.generate();
    private static final ApiKeys.NewKey EDITOR = ApiKeys.generate();
    private static final ApiKeys.NewKey ADMIN = ApiKeys.generate();
    private static final RSAKey SIGNING = rsaKey("trusted");
    private static final RSAKey STRANGER = rsaKey("trusted"); // same key id, another key
    private static final HttpServer JWKS = jwks(SIGNING);

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("security", settings());

    private static final Http anonymous = system.http();
    private static final Http viewer = as(VIEWER);
    private static final Http operator = as(OPERATOR);
    private static final Http editor = as(EDITOR);
    private static final Http admin = as(ADMIN);

    /** Every endpoint of the API, with a body where it takes one. */
    private static final List<String[]> ENDPOINTS = List.of(
            new String[] {"GET", "/api/v1/workflows", null},
            new String[] {"POST", "/api/v1/workflows", "{\"name\":\"x\"}"},
            new String[] {"GET", "/api/v1/workflows/wf-x", null},
            new String[] {"PATCH", "/api/v1/workflows/wf-x", "{\"name\":\"y\"}"},
            new String[] {"DELETE", "/api/v1/workflows/wf-x", null},
            new String[] {"POST", "/api/v1/workflows/wf-x/clone", null},
            new String[] {"GET", "/api/v1/workflows/wf-x/steps", null},
            new String[] {"POST", "/api/v1/workflows/wf-x/steps", "{\"agentId\":\"echo\"}"},
            new String[] {"GET", "/api/v1/workflows/wf-x/steps/st-x", null},
            new String[] {"PATCH", "/api/v1/workflows/wf-x/steps/st-x", "{\"action\":\"a\"}"},
            new String[] {"DELETE", "/api/v1/workflows/wf-x/steps/st-x", null},
            new String[] {"POST", "/api/v1/workflows/wf-x/run", "{\"input\":\"i\"}"},
            new String[] {"GET", "/api/v1/workflows/wf-x/runs", null},
            new String[] {"GET", "/api/v1/workflows/wf-x/events", null},
            new String[] {"GET", "/api/v1/workflows/wf-x/runs/stream", null},
            new String[] {"GET", "/api/v1/workflows/runs", null},
            new String[] {"GET", "/api/v1/workflows/runs/wr-x", null},
            new String[] {"GET", "/api/v1/workflows/runs/wr-x/events", null},
            new String[] {"GET", "/api/v1/workflows/runs/wr-x/stream", null},
            new String[] {"POST", "/api/v1/workflows/runs/wr-x/resume", "{\"output\":\"o\"}"},
            new String[] {"POST", "/api/v1/workflows/runs/wr-x/cancel", null},
            new String[] {"POST", "/api/v1/workflows/runs/wr-x/retry", null},
            new String[] {"POST", "/api/v1/workflows/runs/wr-x/fork", "{\"fromStep\":1}"},
            new String[] {"GET", "/api/v1/workflows/wf-x/versions", null},
            new String[] {"GET", "/api/v1/workflows/wf-x/versions/1", null},
            new String[] {"DELETE", "/api/v1/workflows/runs/wr-x", null},
            new String[] {"GET", "/api/v1/agents", null},
            new String[] {"GET", "/api/v1/agents/echo", null},
            new String[] {"GET", "/api/agents", null},
            new String[] {"GET", "/api/agents/echo", null},
            new String[] {"GET", "/api/v1/payloads/pl-x", null},
            new String[] {"GET", "/api/v1/nothing-here", null});

    @AfterAll
    static void stopJwks() {
        JWKS.stop(0);
    }

    private static String[] settings() {
        return ApiKeyArgs.with(List.of(new ApiKeyArgs.Key("viewer-bot", VIEWER, "viewer"),
                        new ApiKeyArgs.Key("ops", OPERATOR, "operator"), new ApiKeyArgs.Key("author", EDITOR, "editor"),
                        new ApiKeyArgs.Key("root", ADMIN, "admin")),
                "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:"
                        + JWKS.getAddress().getPort() + "/jwks",
                "--agentflow.security.jwt.roles-claim=realm_access.roles");
    }

    private static Http as(ApiKeys.NewKey key) {
        return system.http().withHeader("Authorization", "Bearer " + key.key());
    }

    private static Http.Response call(Http http, String[] endpoint) {
        return switch (endpoint[0]) {
            case "GET" -> http.get(endpoint[1]);
            case "POST" -> http.post(endpoint[1], endpoint[2]);
            case "PATCH" -> http.patch(endpoint[1], endpoint[2]);
            case "DELETE" -> http.delete(endpoint[1]);
            default -> throw new IllegalArgumentException(endpoint[0]);
        };
    }

    private static void assertProblem(Http.Response response, int status, String endpoint) {
        assertThat(response.status()).as(endpoint + ": " + response.raw().body()).isEqualTo(status);
        assertThat(response.contentType()).as(endpoint).startsWith("application/problem+json");
        assertThat(response.body().path("status").asInt()).as(endpoint).isEqualTo(status);
    }

    @Test
    void withoutACredentialEveryEndpointAnswers401AndSaysWhatToSend() {
        for (String[] endpoint : ENDPOINTS) {
            Http.Response response = call(anonymous, endpoint);
            assertProblem(response, 401, endpoint[0] + " " + endpoint[1]);
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(response.body().path("detail").asString()).contains("Authorization: Bearer");
        }
    }

    @Test
    void everyEndpointOfTheApplicationDeclaresItsRoleAndTheTestCoversIt() {
        // the application's controllers (Actuator's endpoints have mappings of their own: OperationsIT)
        RequestMappingHandlerMapping mappings = system.bean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class);
        List<String> declared = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            for (String pattern : info.getPatternValues()) {
                for (RequestMethod requestMethod : info.getMethodsCondition().getMethods()) {
                    String path = pattern.replaceAll("\\{[^}]+}", "x-1");
                    MockHttpServletRequest request = new MockHttpServletRequest(requestMethod.name(), path);
                    if (requestMethod == RequestMethod.GET) {
                        assertThat(EndpointRoles.required(request)).as(pattern).isEqualTo(Role.viewer);
                    } else {
                        assertThat(EndpointRoles.WRITES).as(requestMethod + " " + pattern + " has a row of its own")
                                .anyMatch(rule -> rule.matcher().matches(request));
                    }
                    declared.add(requestMethod + " " + pattern.replaceAll("\\{[^}]+}", "*"));
                }
            }
        });
        List<String> tested = ENDPOINTS.stream().map(e -> e[0] + " " + e[1].replaceAll("/(wf|wr|st|pl)-x", "/*")
                .replace("/echo", "/*").replace("/versions/1", "/versions/*")).toList();
        assertThat(tested).as("the endpoints this test calls").containsAll(declared.stream()
                // the API's description and Swagger UI: public (theDescriptionCovers… reads them without a credential)
                .filter(d -> !d.contains("/error") && !d.startsWith("GET /v3/api-docs")
                        && !d.startsWith("GET /swagger-ui")
                        // the console's pages and GET /api/v1/me: public (theConsoleAndMe…)
                        && d.contains(" /api/") && !d.equals("GET /api/v1/me")).toList());
    }

    @Test
    void theConsoleAndMeArePublicAndMeTellsOnlyWhetherACredentialIsNeeded() {
        for (String page : List.of("/", "/workflows", "/workflows/wf-x/runs", "/runs/wr-x", "/inbox", "/agents",
                "/sign-in")) {
            Http.Response response = anonymous.get(page);
            assertThat(response.status()).as(page).isEqualTo(200);
            assertThat(response.contentType()).as(page).startsWith("text/html");
            assertThat(response.header("Content-Security-Policy")).as(page)
                    .contains("script-src 'self'").doesNotContain("unsafe");
            assertThat(response.raw().body()).contains("/console/app.js");
        }
        assertThat(anonymous.get("/console/app.js").status()).isEqualTo(200);
        JsonNode signedOut = anonymous.get("/api/v1/me").body();
        assertThat(signedOut.path("authentication").asString()).isEqualTo("required");
        assertThat(signedOut.path("roles")).isEmpty();
        assertThat(signedOut.path("actor").asString()).isEqualTo("anonymous");
        assertThat(viewer.get("/api/v1/me").body().path("roles").toString()).isEqualTo("[\"viewer\"]");
        assertThat(operator.get("/api/v1/me").body().path("roles").toString()).isEqualTo("[\"viewer\",\"operator\"]");
        JsonNode root = admin.get("/api/v1/me").body();
        assertThat(root.path("actor").asString()).isEqualTo("key:root");
        assertThat(root.path("roles").toString()).isEqualTo("[\"viewer\",\"operator\",\"editor\",\"admin\"]");
        // a credential that is not valid is still refused there
        assertProblem(system.http().withHeader("Authorization", "Bearer af_notakey").get("/api/v1/me"), 401,
                "GET /api/v1/me with an unknown key");
    }

    @Test
    void optionsNeedsACredentialTooAndThenSaysWhatIsAllowed() {
        Http.Response anonymousOptions = anonymous.options("/api/v1/workflows");
        assertProblem(anonymousOptions, 401, "OPTIONS without a credential");
        Http.Response allowed = viewer.options("/api/v1/workflows");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.header("Allow")).contains("GET", "POST");
    }

    @Test
    void anUnknownKeyIsRefusedWithoutSayingWhatExists() {
        Http.Response response = system.http().withHeader("Authorization", "Bearer af_notakey")
                .get("/api/v1/workflows");
        assertProblem(response, 401, "unknown key");
        assertThat(response.body().path("detail").asString()).contains("not valid");
    }

    @Test
    void aViewerReadsButEveryWriteIs403NamingTheRoleItNeeds() {
        for (String[] endpoint : ENDPOINTS) {
            Http.Response response = call(viewer, endpoint);
            String name = endpoint[0] + " " + endpoint[1];
            if (endpoint[0].equals("GET")) {
                assertThat(response.status()).as(name).isNotIn(401, 403);
            } else {
                assertProblem(response, 403, name);
                assertThat(response.body().path("detail").asString()).contains("needs the role")
                        .contains("key:viewer-bot has viewer");
            }
        }
        assertThat(viewer.get("/api/v1/workflows").status()).isEqualTo(200);
    }

    @Test
    void anOperatorRunsAndResumesButCannotEditAndAnEditorEditsButCannotRunOrResume() {
        Runs byEditor = new Runs(editor);
        String workflowId = byEditor.workflow("approve", "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}");

        assertProblem(operator.post("/api/v1/workflows", "{\"name\":\"no\"}"), 403, "operator creates");
        assertProblem(operator.patch("/api/v1/workflows/" + workflowId, "{\"name\":\"no\"}"), 403, "operator edits");
        assertProblem(operator.delete("/api/v1/workflows/" + workflowId), 403, "operator deletes");
        assertProblem(editor.post("/api/v1/workflows/" + workflowId + "/run", "{\"input\":\"x\"}"), 403,
                "editor runs");

        String runId = new Runs(operator).start(workflowId, "draft");
        new Runs(operator).awaitStatus(runId, "PAUSED", Duration.ofSeconds(30));
        Http.Response byEditorResume = editor.post("/api/v1/workflows/runs/" + runId + "/resume",
                "{\"output\":\"approved\"}");
        assertProblem(byEditorResume, 403, "editor resumes");
        assertThat(byEditorResume.body().path("detail").asString()).contains("needs the role operator");
        assertThat(operator.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"approved\"}")
                .status()).isEqualTo(202);
        new Runs(operator).awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));
        assertThat(admin.post("/api/v1/workflows/" + workflowId + "/clone", null).status()).isEqualTo(201);
    }

    @Test
    void everyEventRecordsWhoAskedForItAndTheRunDetailShowsIt() {
        String workflowId = new Runs(editor).workflow("audited",
                "{\"agentId\":\"template\",\"action\":\"Draft: {{input}}\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}",
                "{\"agentId\":\"echo\"}");
        String runId = new Runs(operator).start(workflowId, "news");
        new Runs(operator).awaitStatus(runId, "PAUSED", Duration.ofSeconds(30));
        Http.Response resumed = admin.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"approved\"}");
        assertThat(resumed.status()).as(resumed.raw().body()).isEqualTo(202);
        JsonNode detail = new Runs(viewer).awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));

        assertThat(detail.path("startedBy").asString()).isEqualTo("key:ops");
        assertThat(detail.path("steps").get(1).path("approvedBy").asString()).isEqualTo("key:root");
        List<String> actors = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (JsonNode event : viewer.get("/api/v1/workflows/runs/" + runId + "/events?size=1000").body()
                .path("content")) {
            types.add(event.path("type").asString());
            actors.add(event.path("type").asString() + " " + event.path("actor").asString());
        }
        int resumedAt = types.indexOf("RunResumed");
        assertThat(resumedAt).isPositive();
        for (int i = 0; i < actors.size(); i++) {
            // the operator who started it until the admin resumed it; the admin from then on
            assertThat(actors.get(i)).endsWith(i < resumedAt ? " key:ops" : " key:root");
        }
        for (JsonNode event : viewer.get("/api/v1/workflows/" + workflowId + "/events?size=1000").body()
                .path("content")) {
            assertThat(event.path("actor").asString()).as(event.toString()).isEqualTo("key:author");
        }
    }

    @Test
    void aJwtSignedByTheIssuersKeyIsAcceptedWithItsRoles() {
        Http person = withJwt(SIGNING, "alice", List.of("operator", "something-else"), Instant.now().plusSeconds(300));
        assertThat(person.get("/api/v1/workflows").status()).isEqualTo(200);
        Http.Response create = person.post("/api/v1/workflows", "{\"name\":\"no\"}");
        assertProblem(create, 403, "jwt operator creates");
        assertThat(create.body().path("detail").asString()).contains("jwt:alice has operator");

        String workflowId = new Runs(editor).workflow("for alice", "{\"agentId\":\"echo\"}");
        String runId = new Runs(person).start(workflowId, "hi");
        JsonNode detail = new Runs(person).awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));
        assertThat(detail.path("startedBy").asString()).isEqualTo("jwt:alice");
    }

    @Test
    void aJwtThatExpiredOrWasSignedByAnotherKeyIsRefused() {
        Http expired = withJwt(SIGNING, "bob", List.of("admin"), Instant.now().minusSeconds(600));
        assertProblem(expired.get("/api/v1/workflows"), 401, "expired");
        Http forged = withJwt(STRANGER, "mallory", List.of("admin"), Instant.now().plusSeconds(300));
        assertProblem(forged.get("/api/v1/workflows"), 401, "another key");
        Http unsigned = system.http().withHeader("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        assertProblem(unsigned.get("/api/v1/workflows"), 401, "alg none");
        Http nobody = withJwt(SIGNING, null, List.of("admin"), Instant.now().plusSeconds(300));
        assertProblem(nobody.get("/api/v1/workflows"), 401, "no principal to record");
    }

    @Test
    void aCallerCannotNameItsOwnActor() {
        String workflowId = new Runs(editor).workflow("spoof", "{\"agentId\":\"echo\"}");
        Http spoofing = operator.withHeader("X-Actor", "key:root").withHeader("X-Forwarded-User", "root");
        JsonNode started = new Runs(spoofing).startWith(workflowId, "{\"input\":\"x\",\"actor\":\"key:root\"}");
        JsonNode detail = new Runs(viewer).awaitStatus(started.path("runId").asString(), "COMPLETED",
                Duration.ofSeconds(30));
        assertThat(detail.path("startedBy").asString()).isEqualTo("key:ops");
    }

    private static Http withJwt(RSAKey key, String subject, List<String> roles, Instant expires) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject) // null: none
                .claim("realm_access", Map.of("roles", roles))
                .issueTime(Date.from(expires.minusSeconds(900)))
                .expirationTime(Date.from(expires)).build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return system.http().withHeader("Authorization", "Bearer " + jwt.serialize());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey rsaKey(String id) {
        try {
            return new RSAKeyGenerator(2048).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWK set endpoint, as an identity provider serves one, with the public half of the key. */
    private static HttpServer jwks(RSAKey key) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The API's OpenAPI description: OpenAPI 3.1, every endpoint the reference lists (with its
     * method), the bearer credential, JSON answers; Swagger UI shows it. Both readable without a
     * credential, on an API that needs one everywhere else.
     */
    @Test
    void theDescriptionCoversEveryEndpointOfTheReferenceAndNeedsNoCredential() throws IOException {
        assertThat(anonymous.get("/api/v1/workflows").status()).as("the API itself needs one").isEqualTo(401);

        Http.Response docs = anonymous.get("/v3/api-docs");

        assertThat(docs.status()).isEqualTo(200);
        JsonNode api = docs.body();
        assertThat(api.path("openapi").asString()).startsWith("3.1");
        assertThat(api.path("components").path("securitySchemes").path(ApiDocumentation.BEARER).path("scheme")
                .asString()).isEqualTo("bearer");
        List<String> documented = new ArrayList<>();
        api.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation ->
                documented.add(operation.getKey().toUpperCase() + " " + path.getKey().replaceAll("\\{[^}]+}", "{}"))));
        Matcher row = REFERENCE_ROW.matcher(Files.readString(Path.of("..", "docs", "reference", "workflows-api.md")));
        List<String> referenced = new ArrayList<>();
        while (row.find()) {
            referenced.add(row.group(1) + " " + row.group(2).replaceAll("\\{[^}]+}", "{}"));
        }
        assertThat(referenced).as("the reference's table of endpoints").hasSizeGreaterThanOrEqualTo(12);
        assertThat(documented).containsAll(referenced);
        assertThat(api.path("paths").path("/api/v1/workflows/runs/{runId}").path("get").path("responses")
                .path("200").path("content").has("application/json")).isTrue();
        assertThat(api.path("paths").path("/api/v1/workflows/runs/{runId}/stream").path("get").path("responses")
                .path("200").path("content").has("text/event-stream")).isTrue();
        JsonNode run = api.path("paths").path("/api/v1/workflows/{id}/run").path("post");
        assertThat(run.path("responses").properties()).extracting(Map.Entry::getKey)
                .contains("202", "400", "401", "403", "404", "413", "415", "422", "429", "503").doesNotContain("200");
        assertThat(run.path("requestBody").path("content").path("application/json").path("schema").path("$ref")
                .asString()).endsWith("/RunRequest");
        assertThat(api.path("components").path("schemas").path("RunRequest").path("required").toString())
                .contains("input");
        assertThat(run.path("responses").path("422").path("content").path("application/problem+json").path("schema")
                .path("$ref").asString()).endsWith("/" + ApiDocumentation.PROBLEM);

        // the reference's examples
        assertThat(api.path("paths").path("/api/v1/workflows").path("post").path("requestBody").path("content")
                .path("application/json").path("examples").path("reference").path("value").path("name").asString())
                .isEqualTo("Tech News Briefing");
        assertThat(api.path("paths").path("/api/v1/workflows/{workflowId}/runs").path("get").path("responses")
                .path("200").path("content").path("application/json").path("examples").has("reference")).isTrue();

        long validated = ApiContract.validated();
        assertThat(viewer.get("/api/v1/workflows").status()).isEqualTo(200);
        assertThat(ApiContract.validated()).as("every answer is held to the description").isGreaterThan(validated);

        Http.Response ui = anonymous.get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.contentType()).startsWith("text/html");
        assertThat(ui.header("Content-Security-Policy")).contains("script-src 'self'");
    }
}
