package dev.agentflow.projection.topology;

/** Told, on the stream thread, the offset of each record the projection has read from a source topic. */
@FunctionalInterface
public interface ReadProgress {

    ReadProgress NONE = (topic, partition, offset) -> { };

    void read(String topic, int partition, long offset);
}
