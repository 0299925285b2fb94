package dev.agentflow.schemas.kafka;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic's name, partitions, settings and serdes, declared once in {@link Topics}.
 *
 * @param name        full name, prefix included
 * @param partitions  number of partitions
 * @param retentionMs record retention; -1 keeps records forever
 * @param keySerde    serde of the key
 * @param valueSerde  serde of the value
 */
public record Topic<K, V>(String name, int partitions, long retentionMs, Serde<K> keySerde, Serde<V> valueSerde) {

    /** Largest record a topic accepts: a workflow with many large steps still fits. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    public Map<String, String> configs() {
        return Map.of(
                "cleanup.policy", "delete",
                "retention.ms", Long.toString(retentionMs),
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    }
}
