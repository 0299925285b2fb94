package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.limits.Limits;
import io.micrometer.core.instrument.Metrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every component does with a record it cannot read or apply: one log line naming topic,
 * partition, offset and reason; a bounded copy on the dead-letter topic; a count; then the next
 * record. Kafka Streams apps copy with Kafka's own dead-letter headers ({@code __streams.errors.*},
 * written by {@link DeadLetterExceptionHandlers}); plain consumers with Spring for Apache Kafka's
 * ({@code kafka_dlt-*}). Both add {@link #COMPONENT_HEADER}.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    /** The component that gave up on the record (an application id or a consumer's name). */
    public static final String COMPONENT_HEADER = "agentflow.component";
    /** Present when the copy holds only the first bytes of the record's value: the value's whole size. */
    public static final String TRUNCATED_HEADER = "agentflow.value-bytes";

    // Kafka Streams' own dead-letter headers (KIP-1034), written as text.
    public static final String STREAMS_EXCEPTION = "__streams.errors.exception";
    public static final String STREAMS_MESSAGE = "__streams.errors.message";
    public static final String STREAMS_STACKTRACE = "__streams.errors.stacktrace";
    public static final String STREAMS_TOPIC = "__streams.errors.topic";
    public static final String STREAMS_PARTITION = "__streams.errors.partition";
    public static final String STREAMS_OFFSET = "__streams.errors.offset";

    private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private DeadLetters() {
    }

    /** Logs the one line and counts it. */
    public static void record(String component, String topic, int partition, long offset, Throwable reason) {
        long n = COUNTS.computeIfAbsent(component, c -> new AtomicLong()).incrementAndGet();
        // Spring Boot adds the application's registry to the global one: a component's name is a
        // group or application id, one per component, so the label stays bounded.
        Metrics.counter("agentflow.dead.letters", "component", component).increment();
        LOG.warn("{} skipped the record at {}-{}@{}: {} (copied to the dead-letter topic; {} so far)", component,
                topic, partition, offset, reason(reason), n);
    }

    /** Logs a record a component could not write and will not skip (an exactly-once decider's). */
    public static void failed(String component, String topic, Throwable reason) {
        LOG.error("{} could not write a record to {}: {} (copied to the dead-letter topic; the transaction fails)",
                component, topic, reason(reason));
    }

    /** Records skipped so far by each component of this process. */
    public static Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        COUNTS.forEach((component, n) -> counts.put(component, n.get()));
        return counts;
    }

    /** Records skipped so far by {@code component} in this process. */
    public static long count(String component) {
        AtomicLong n = COUNTS.get(component);
        return n == null ? 0 : n.get();
    }

    /** The exception and its root cause, in one short line. */
    public static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = describe(e) + (root == e ? "" : " (caused by " + describe(root) + ")");
        return cut(text, 1000);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /**
     * A dead letter as Kafka Streams writes one, bounded: the value cut to
     * {@link Limits#DEAD_LETTER_VALUE_BYTES}, the key to {@link Limits#DEAD_LETTER_FIELD_BYTES}, the
     * record's own headers to {@link Limits#DEAD_LETTER_FIELD_BYTES} in all, the message and stack
     * trace to a few kilobytes.
     */
    static ProducerRecord<byte[], byte[]> streamsRecord(String deadLetterTopic, String component, String topic,
                                                        int partition, long offset, Headers sourceHeaders,
                                                        byte[] key, byte[] value, Exception error) {
        RecordHeaders headers = new RecordHeaders();
        copyHeaders(sourceHeaders, headers);
        headers.add(STREAMS_EXCEPTION, text(cut(error.getClass().getName(), 300)));
        headers.add(STREAMS_MESSAGE, text(cut(String.valueOf(error.getMessage()), 1000)));
        headers.add(STREAMS_STACKTRACE, text(stackTrace(error)));
        headers.add(STREAMS_TOPIC, text(String.valueOf(topic)));
        headers.add(STREAMS_PARTITION, text(String.valueOf(partition)));
        headers.add(STREAMS_OFFSET, text(String.valueOf(offset)));
        headers.add(COMPONENT_HEADER, text(component));
        byte[] copied = value;
        if (value != null && value.length > Limits.DEAD_LETTER_VALUE_BYTES) {
            copied = Arrays.copyOf(value, Limits.DEAD_LETTER_VALUE_BYTES);
            headers.add(TRUNCATED_HEADER, text(Integer.toString(value.length)));
        }
        byte[] copiedKey = key != null && key.length > Limits.DEAD_LETTER_FIELD_BYTES
                ? Arrays.copyOf(key, Limits.DEAD_LETTER_FIELD_BYTES) : key;
        return new ProducerRecord<>(deadLetterTopic, null, copiedKey, copied, headers);
    }

    /** The record's own headers, while they take at most {@link Limits#DEAD_LETTER_FIELD_BYTES} in all. */
    public static void copyHeaders(Iterable<Header> from, Headers to) {
        if (from == null) {
            return;
        }
        int bytes = 0;
        for (Header h : from) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
            if (bytes > Limits.DEAD_LETTER_FIELD_BYTES) {
                return;
            }
            to.add(h);
        }
    }

    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return cut(out.toString(), Limits.DEAD_LETTER_FIELD_BYTES / 3);
    }

    static String cut(String text, int maxChars) {
        return text.length() <= maxChars ? text : text.substring(0, maxChars) + "…";
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
