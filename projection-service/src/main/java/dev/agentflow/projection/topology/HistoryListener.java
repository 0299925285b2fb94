package dev.agentflow.projection.topology;

/** Told, on the stream thread, each time an event joins a history store for the first time. Must not block. */
@FunctionalInterface
public interface HistoryListener {

    HistoryListener NONE = event -> { };

    void appended(StoredEvent event);
}
