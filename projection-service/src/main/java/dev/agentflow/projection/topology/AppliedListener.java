package dev.agentflow.projection.topology;

/** Told, on the stream thread, each time a view has applied an aggregate's event. */
@FunctionalInterface
public interface AppliedListener {

    AppliedListener NONE = (aggregateId, version) -> { };

    void applied(String aggregateId, long version);
}
