package dev.agentflow.standalone;

import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/** A small JSON client for the integration tests. */
final class Http {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Supplier<String> base;
    private final Map<String, String> headers;

    Http(String base) {
        this(() -> base, Map.of());
    }

    /** A client of a system whose address is known only once it has started. */
    Http(Supplier<String> base) {
        this(base, Map.of());
    }

    private Http(Supplier<String> base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** A client that sends {@code name: value} with every request. */
    Http withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Http(base, Map.copyOf(more));
    }

    String base() {
        return base.get();
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }
    }

    /** The body of a GET as text (a payload); fails unless the status is 200. */
    String text(String path) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
            headers.forEach(request::header);
            HttpRequest sent = request.GET().build();
            HttpResponse<String> response = client.send(sent, HttpResponse.BodyHandlers.ofString());
            ApiContract.check(base(), sent.method(), sent.uri(), response);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
    }

    Response options(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).method("OPTIONS",
                HttpRequest.BodyPublishers.noBody()));
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE());
    }

    Response post(String path, String json) {
        return send(request(path, json).POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)));
    }

    Response patch(String path, String json) {
        return send(request(path, json).method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    Response postBytes(String path, byte[] body) {
        return send(request(path, "").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpRequest.Builder request(String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return b;
    }

    private Response send(HttpRequest.Builder request) {
        headers.forEach(request::header);
        try {
            HttpRequest sent = request.timeout(Duration.ofSeconds(60)).build();
            HttpResponse<String> response = client.send(sent, HttpResponse.BodyHandlers.ofString());
            ApiContract.check(base(), sent.method(), sent.uri(), response);
            String text = response.body();
            // a page or a metrics text has no JSON body
            boolean json = response.headers().firstValue("Content-Type").map(t -> t.contains("json")).orElse(true);
            JsonNode body = text == null || text.isBlank() || !json ? null : Json.mapper().readTree(text);
            return new Response(response.statusCode(), body, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ports handed out in this JVM: two asked for one broker (client and controller) must differ. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** A port nothing listens on now, and that this JVM has not handed out before. */
    static int freePort() {
        while (true) {
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
