package dev.agentflow.processor.agent;

import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.AgentOutcome.AgentError;
import dev.agentflow.schemas.run.AgentOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP calls of one configured agent, on the JDK client: a deadline per call that covers the
 * whole answer, a cap on what is read, and every failure turned into an {@link AgentError} that
 * names the agent, the endpoint (as {@link #redact} shows it) and what happened, and says whether
 * another attempt may succeed: connection failures, timeouts, 408, 429 and 5xx may; redirects and
 * other answers will not. The API key never appears in a message.
 */
final class AgentHttp {

    /** Room for the JSON around an output of the largest accepted size. */
    private static final int ENVELOPE_BYTES = 64 * 1024;
    private static final int SNIPPET_CHARS = 300;

    private final HttpClient client;
    private final String agentId;
    private final Duration timeout;
    private final int maxOutputBytes;
    private final String secret;

    private final RateLimit rate;

    /** @param rate the agent's rate limit, or null for none */
    AgentHttp(HttpClient client, String agentId, AgentDefinition definition, RateLimit rate) {
        this.rate = rate;
        this.client = client;
        this.agentId = agentId;
        this.timeout = definition.timeout();
        this.maxOutputBytes = definition.maxOutputBytes();
        this.secret = definition.apiKey() == null || definition.apiKey().isBlank() ? null : definition.apiKey();
    }

    /** Why a call failed, as the step's error. */
    static final class Failure extends RuntimeException {
        private final transient AgentError error;

        Failure(AgentError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /**
     * POSTs JSON to {@code url}, with the API key as a bearer token when {@code withKey}; completes
     * with the body of a 2xx answer, or exceptionally with a {@link Failure}.
     */
    CompletableFuture<String> post(String what, String url, Object json, boolean withKey, Map<String, String> headers) {
        return rate == null ? send(what, url, json, withKey, headers)
                : turn(what, url).thenCompose(turn -> send(what, url, json, withKey, headers));
    }

    /**
     * POSTs JSON to {@code url} and hands each line of a 2xx answer to {@code onLine} as it arrives (a
     * streamed answer: Server-Sent Events or JSON lines); completes when the answer has ended, or
     * exceptionally with a {@link Failure} (an error status, the deadline, a line {@code onLine}
     * refused, or more than {@link #STREAM_FACTOR} times the output limit in all).
     */
    CompletableFuture<Void> postLines(String what, String url, Object json, boolean withKey,
                                      Map<String, String> headers, Consumer<String> onLine) {
        return postLines(what, url, json, withKey, headers, onLine, "text/event-stream, application/json");
    }

    /** {@link #postLines} asking for the answer in {@code accept}. */
    CompletableFuture<Void> postLines(String what, String url, Object json, boolean withKey,
                                      Map<String, String> headers, Consumer<String> onLine, String accept) {
        return rate == null ? sendLines(what, url, json, withKey, headers, onLine, accept)
                : turn(what, url).thenCompose(turn -> sendLines(what, url, json, withKey, headers, onLine, accept));
    }

    /**
     * The call's turn under the agent's rate limit, within the call's timeout; else a retryable
     * failure that says when a turn is free (the step's next attempt waits that long).
     */
    private CompletableFuture<Void> turn(String what, String url) {
        return rate.acquire(timeout).exceptionallyCompose(error -> {
            Throwable cause = unwrap(error);
            if (cause instanceof RateLimit.Saturated saturated) {
                long after = Math.max(1, saturated.retryAfter().toMillis());
                return CompletableFuture.failedFuture(new Failure(new AgentError(message(what + ": POST "
                        + redact(url), "the agent's rate-limit leaves no turn within " + timeout.toMillis()
                        + " ms (retry after " + after + " ms)"), true, after)));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /**
     * A streamed answer wraps each piece of its output in its own JSON (an OpenAI chunk is some 230
     * characters around a token of 4): it may be this much larger in all. Nothing of it is kept but
     * the output, which its reader bounds by {@link #maxOutputBytes()}.
     */
    static final int STREAM_FACTOR = 128;

    /** The largest output the agent accepts, in UTF-8 bytes. */
    int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** What a reader of a streamed answer keeps of an answer not streamed (one JSON body), at most. */
    int wholeAnswerCap() {
        return maxOutputBytes + ENVELOPE_BYTES;
    }

    /** The failure of an answer over {@code cap} characters. */
    Failure tooLarge(String what, String url, long cap) {
        return failure(what, url, "the answer is larger than " + cap + " bytes (the output limit is "
                + maxOutputBytes + ")", false);
    }

    /**
     * Keeps a line of an answer read whole (not streamed) by a reader of lines, up to
     * {@link #wholeAnswerCap()}.
     */
    void keepWhole(StringBuilder whole, String line, String what, String url) {
        whole.append(line).append('\n');
        if (whole.length() > wholeAnswerCap()) {
            throw tooLarge(what, url, wholeAnswerCap());
        }
    }

    private CompletableFuture<Void> sendLines(String what, String url, Object json, boolean withKey,
                                              Map<String, String> headers, Consumer<String> onLine, String accept) {
        String where = what + ": POST " + redact(url);
        HttpRequest.Builder request = request(url, json, withKey, headers, accept);
        int cap = wholeAnswerCap();
        Lines lines = new Lines(onLine, (long) cap * STREAM_FACTOR);
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request.build(), info ->
                info.statusCode() >= 200 && info.statusCode() < 300
                        ? HttpResponse.BodySubscribers.mapping(
                                HttpResponse.BodySubscribers.fromLineSubscriber(lines, l -> null, StandardCharsets.UTF_8, null),
                                v -> (byte[]) null)
                        : new Capped(cap));
        return call.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        call.cancel(true);
                        lines.cancel();
                        throw new Failure(transportError(where, unwrap(error), cap));
                    }
                    int status = response.statusCode();
                    if (status < 200 || status >= 300) {
                        throw refused(where, url, response);
                    }
                    if (lines.failure != null) {
                        throw lines.failure instanceof Failure f ? f
                                : new Failure(transportError(where, lines.failure, cap * STREAM_FACTOR));
                    }
                    return null;
                });
    }

    private HttpRequest.Builder request(String url, Object json, boolean withKey, Map<String, String> headers,
                                        String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(json)));
        headers.forEach(request::header);
        // the call's span (current while the call is made), so the agent's own spans join the run's trace
        RecordTracing.current().httpHeaders().forEach(request::setHeader);
        if (withKey && secret != null) {
            request.header("Authorization", "Bearer " + secret);
        }
        return request;
    }

    /** Hands each line on as it arrives; stops at the cap, or at a line the consumer refuses. */
    private static final class Lines implements Flow.Subscriber<String> {
        private final Consumer<String> onLine;
        private final long cap;
        private long chars;
        private volatile Flow.Subscription subscription;
        private volatile Throwable failure;

        Lines(Consumer<String> onLine, long cap) {
            this.onLine = onLine;
            this.cap = cap;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (failure != null) {
                return;
            }
            chars += line.length() + 1;
            try {
                if (chars > cap) {
                    throw new Oversize();
                }
                onLine.accept(line);
            } catch (Exception e) {
                failure = e;
                cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }

        @Override
        public void onComplete() {
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private CompletableFuture<String> send(String what, String url, Object json, boolean withKey,
                                           Map<String, String> headers) {
        String where = what + ": POST " + redact(url);
        HttpRequest.Builder request = request(url, json, withKey, headers, "application/json");
        int cap = wholeAnswerCap();
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request.build(), info -> new Capped(cap));
        // The request's timeout ends with the response headers: the deadline also covers a stalled body.
        return call.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        call.cancel(true);
                        throw new Failure(transportError(where, unwrap(error), cap));
                    }
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                        return new String(response.body(), StandardCharsets.UTF_8);
                    }
                    throw refused(where, url, response);
                });
    }

    /** An answer other than 2xx as the call's failure; a 429 also slows the agent's rate limit down. */
    private Failure refused(String where, String url, HttpResponse<byte[]> response) {
        if (response.statusCode() == 429 && rate != null) {
            Long after = retryAfterMs(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
            rate.slowDown(after == null ? null : Duration.ofMillis(after));
        }
        return new Failure(statusError(where, url, response.statusCode(),
                new String(response.body(), StandardCharsets.UTF_8), response.headers()));
    }

    /** The body as JSON, or a non-retryable failure: the endpoint does not speak the protocol. */
    JsonNode parse(String what, String url, String body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node == null || !node.isObject()) {
                throw malformed(what, url, "the answer is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw malformed(what, url, "the answer is not JSON: " + snippet(body));
        }
    }

    Failure malformed(String what, String url, String why) {
        return failure(what, url, "malformed response: " + why, false);
    }

    /** A failure of the call to {@code url}, saying {@code why}. */
    Failure failure(String what, String url, String why, boolean retryable) {
        return new Failure(new AgentError(message(what + ": POST " + redact(url), why), retryable));
    }

    /** The output, unless it is larger than this agent accepts. */
    AgentOutcome output(String what, String url, String output) {
        int bytes = output.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxOutputBytes) {
            return AgentOutcome.error(message(what + ": POST " + redact(url), "the output is " + bytes
                    + " bytes, over the limit of " + maxOutputBytes), false);
        }
        return AgentOutcome.output(output);
    }

    /** A failed call as the step's outcome; anything unexpected is retryable. */
    AgentOutcome outcome(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof Failure f) {
            return new AgentOutcome(null, null, f.error);
        }
        return AgentOutcome.error(message("invocation", e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + redactSecret(e.getMessage()))), true);
    }

    String message(String where, String what) {
        return "agent " + agentId + ": " + where + ": " + what;
    }

    private AgentError transportError(String where, Throwable e, int cap) {
        if (e instanceof Oversize) {
            return new AgentError(message(where, "the answer is larger than " + cap + " bytes (the output limit is "
                    + maxOutputBytes + ")"), false);
        }
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException) {
            return new AgentError(message(where, "could not connect (" + describe(e) + ")"), true);
        }
        if (e instanceof HttpTimeoutException || e instanceof TimeoutException) {
            return new AgentError(message(where, "no answer within " + timeout.toMillis() + " ms"), true);
        }
        if (e instanceof IOException) {
            return new AgentError(message(where, "I/O error (" + describe(e) + ")"), true);
        }
        return new AgentError(message(where, describe(e)), true);
    }

    private AgentError statusError(String where, String url, int status, String body, HttpHeaders headers) {
        String http = "HTTP " + status;
        if (status == 401 || status == 403) {
            return new AgentError(message(where, http + ": the credentials were refused (check the API key)"), false);
        }
        if (status >= 300 && status < 400) {
            return new AgentError(message(where, http + ": redirects are not followed"
                    + headers.firstValue("Location").map(l -> " (Location: " + location(url, l) + ")").orElse("")),
                    false);
        }
        Long retryAfterMs = retryAfterMs(headers.firstValue("Retry-After").orElse(null), Instant.now());
        String after = retryAfterMs == null ? "" : " (retry after " + retryAfterMs + " ms)";
        if (status == 408) {
            return new AgentError(message(where, http + ": request timeout" + after + ": " + snippet(body)), true,
                    retryAfterMs);
        }
        if (status == 429) {
            return new AgentError(message(where, http + ": rate limited" + after + ": " + snippet(body)), true,
                    retryAfterMs);
        }
        if (status >= 500) {
            return new AgentError(message(where, http + after + ": " + snippet(body)), true, retryAfterMs);
        }
        return new AgentError(message(where, http + ": " + snippet(body)), false);
    }

    /** {@code Retry-After} in milliseconds from {@code now}: delta-seconds or an HTTP date; null when absent or unreadable. */
    static Long retryAfterMs(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.matches("\\d{1,9}")) {
            return Long.parseLong(value) * 1000;
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, at).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The URL as messages show it: scheme, host, port and the first path segment. User info, query,
     * fragment and the rest of the path (where a webhook URL carries its token) are left out; "/…"
     * marks a path cut short.
     */
    static String redact(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(an invalid URL)";
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            int cut = path.indexOf('/', 1);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (cut < 0 || cut == path.length() - 1 ? path : path.substring(0, cut) + "/…");
        } catch (IllegalArgumentException e) {
            return "(an invalid URL)";
        }
    }

    /** A redirect's target, which may be relative to the request's URL, as messages show URLs. */
    private static String location(String url, String location) {
        try {
            return redact(URI.create(url).resolve(location).toString());
        } catch (IllegalArgumentException e) {
            return "(an invalid URL)";
        }
    }

    /** A body cut short for a message, the API key masked. */
    String snippet(String body) {
        String text = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        text = text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "…" : text;
        return text.isEmpty() ? "(empty body)" : redactSecret(text);
    }

    private String redactSecret(String text) {
        return secret == null ? text : text.replace(secret, "***");
    }

    private String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + redactSecret(e.getMessage()));
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof IOException && t.getCause() instanceof Oversize o) {
            return o;
        }
        return t;
    }

    /** The answer was larger than the cap: reading stopped there. */
    private static final class Oversize extends IOException {
        Oversize() {
            super("answer over the size cap", null);
        }
    }

    /** Collects a body up to a cap, then cancels the rest. */
    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Capped(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (bytes.size() + item.remaining() > cap) {
                    subscription.cancel();
                    body.completeExceptionally(new Oversize());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}
