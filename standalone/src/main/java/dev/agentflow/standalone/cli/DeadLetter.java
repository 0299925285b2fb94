package dev.agentflow.standalone.cli;

import dev.agentflow.runtime.kafka.DeadLetters;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.payload.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import tools.jackson.databind.node.ObjectNode;

/**
 * One record of the dead-letter topic as {@code replay --dead-letters} shows it: written either by
 * a Kafka Streams app (Kafka's {@code __streams.errors.*} headers) or by a plain consumer (Spring
 * for Apache Kafka's {@code kafka_dlt-*} headers); both name the component.
 */
record DeadLetter(Instant at, String component, String topic, Integer partition, Long offset, String exception,
                  String message, String key, String value, int valueBytes, Integer originalBytes) {

    private static final int SHOWN = 120;

    static DeadLetter of(EventLog.Raw r) {
        Headers h = r.headers();
        boolean streams = h.lastHeader(DeadLetters.STREAMS_TOPIC) != null;
        String topic = streams ? text(h, DeadLetters.STREAMS_TOPIC) : text(h, "kafka_dlt-original-topic");
        Integer partition = streams ? integer(text(h, DeadLetters.STREAMS_PARTITION))
                : binaryInt(h.lastHeader("kafka_dlt-original-partition"));
        Long offset = streams ? longValue(text(h, DeadLetters.STREAMS_OFFSET))
                : binaryLong(h.lastHeader("kafka_dlt-original-offset"));
        String exception = streams ? text(h, DeadLetters.STREAMS_EXCEPTION) : first(text(h,
                "kafka_dlt-exception-cause-fqcn"), text(h, "kafka_dlt-exception-fqcn"));
        String message = streams ? text(h, DeadLetters.STREAMS_MESSAGE) : text(h, "kafka_dlt-exception-message");
        String value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
        return new DeadLetter(Instant.ofEpochMilli(r.timestamp()), text(h, DeadLetters.COMPONENT_HEADER), topic,
                partition, offset, exception, message,
                r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), value,
                r.value() == null ? 0 : r.value().length, integer(text(h, DeadLetters.TRUNCATED_HEADER)));
    }

    String line() {
        return at + "  " + component + "  from " + topic + "-" + partition + "@" + offset + "  "
                + shortName(exception) + (message == null ? "" : ": " + oneLine(message))
                + "  key " + (key == null ? "null" : quote(key))
                + "  value " + (value == null ? "null" : quote(Utf8.head(value, SHOWN))
                + (value.length() > SHOWN ? "…" : "")) + " (" + valueBytes + " bytes"
                + (originalBytes == null ? "" : " of " + originalBytes) + ")";
    }

    String json() {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("at", at.toString());
        node.put("component", component);
        node.put("topic", topic);
        node.put("partition", partition);
        node.put("offset", offset);
        node.put("exception", exception);
        node.put("message", message);
        node.put("key", key);
        node.put("value", value);
        node.put("valueBytes", valueBytes);
        node.put("originalBytes", originalBytes);
        return node.toString();
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long longValue(String text) {
        try {
            return text == null ? null : Long.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer binaryInt(Header h) {
        return h == null || h.value() == null || h.value().length != 4 ? null : ByteBuffer.wrap(h.value()).getInt();
    }

    private static Long binaryLong(Header h) {
        return h == null || h.value() == null || h.value().length != 8 ? null : ByteBuffer.wrap(h.value()).getLong();
    }

    private static String shortName(String className) {
        return className == null ? "?" : className.substring(className.lastIndexOf('.') + 1);
    }

    private static String oneLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** A text as a JSON-style quoted string on one line. */
    static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
