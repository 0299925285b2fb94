package dev.agentflow.runtime.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A run's trace across its Kafka hops, on Micrometer Tracing: the W3C trace context
 * ({@code traceparent}) travels in record headers, each hop (a decider's command, an agent call)
 * is a span whose parent is the context its record carried (or the one its run keeps), and what a
 * hop writes carries the hop's own context. HTTP calls to agents carry it as headers too.
 *
 * <p>The application installs its tracer at start-up ({@link #install}); Kafka Streams' processors
 * and the agents' HTTP calls, which no bean reaches, use {@link #current()}. Without one (a test,
 * tracing not on the class path) everything here does nothing.
 */
public final class RecordTracing {

    /** Traces nothing. */
    public static final RecordTracing NONE = new RecordTracing(Tracer.NOOP, Propagator.NOOP);
    /** The W3C header of the trace context. */
    public static final String TRACEPARENT = "traceparent";

    private static volatile RecordTracing current = NONE;

    private static final Propagator.Getter<Headers> FROM_HEADERS = (headers, key) -> {
        Header header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    };
    private static final Propagator.Setter<Headers> TO_HEADERS = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final Tracer tracer;
    private final Propagator propagator;

    public RecordTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Makes {@code tracing} the one {@link #current()} answers (the application's, at start-up). */
    public static void install(RecordTracing tracing) {
        current = tracing;
    }

    public static RecordTracing current() {
        return current;
    }

    /**
     * Starts a span named {@code name}: a child of {@code stored} (a {@code traceparent} a run keeps),
     * else of the context {@code headers} carry, else the root of a new trace.
     */
    public Span start(String name, String stored, Headers headers) {
        Span.Builder builder;
        if (stored != null) {
            builder = propagator.extract(Map.of(TRACEPARENT, stored), Map::get);
        } else if (headers != null && headers.lastHeader(TRACEPARENT) != null) {
            builder = propagator.extract(headers, FROM_HEADERS);
        } else {
            builder = tracer.spanBuilder().setNoParent();
        }
        return builder.name(name).start();
    }

    /** Makes {@code span} the current one until the scope closes (logs carry its trace id). */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    /** The current span's context into {@code headers} (replacing any there); nothing without one. */
    public Headers inject(Headers headers) {
        Span span = tracer.currentSpan();
        if (span != null) {
            propagator.inject(span.context(), headers, TO_HEADERS);
        }
        return headers;
    }

    /** {@code span}'s context into {@code headers} (replacing any there). */
    public Headers inject(Span span, Headers headers) {
        propagator.inject(span.context(), headers, TO_HEADERS);
        return headers;
    }

    /** The current span's context as its {@code traceparent}, to keep; null without one. */
    public String traceparent() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        propagator.inject(span.context(), fields, Map::put);
        return fields.get(TRACEPARENT);
    }

    /** The current span's context as HTTP headers (name → value), to send on a call; empty without one. */
    public Map<String, String> httpHeaders() {
        Span span = tracer.currentSpan();
        Map<String, String> fields = new LinkedHashMap<>();
        if (span != null) {
            propagator.inject(span.context(), fields, Map::put);
        }
        return fields;
    }

    /** The trace id of a {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}); null if it is none. */
    public static String traceId(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        List<String> parts = List.of(traceparent.split("-"));
        return parts.size() == 4 && parts.get(1).length() == 32 ? parts.get(1) : null;
    }

    /** The {@code traceparent} a record carries; null if none. */
    public static String traceparent(Headers headers) {
        return headers == null ? null : FROM_HEADERS.get(headers, TRACEPARENT);
    }

    /** Copies the trace context {@code from} carries into {@code to}. */
    public static void copy(Headers from, Headers to) {
        for (String key : List.of(TRACEPARENT, "tracestate")) {
            Header header = from == null ? null : from.lastHeader(key);
            if (header != null) {
                to.remove(key);
                to.add(key, header.value());
            }
        }
    }
}
