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

    /**
     * No {@code max.message.bytes}: every record the engine writes fits Kafka's default (see
     * {@link dev.agentflow.schemas.limits.Limits#largestRecordBytes()}), so topics take the cluster's.
     */
    public Map<String, String> configs() {
        return Map.of(
                "cleanup.policy", "delete",
                "retention.ms", Long.toString(retentionMs));
    }
}
