package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;

/**
 * How far a client of an event stream has got: what it has been sent, as the SSE {@code id} it
 * reconnects with ({@code Last-Event-ID}). Events the cursor covers are never sent again, so a
 * reconnect continues without gaps or repeats.
 */
interface StreamCursor {

    boolean covers(StoredEvent event);

    StreamCursor after(StoredEvent event);

    String id();

    /** A run's stream: the version of the last event sent. */
    record RunVersion(long version) implements StreamCursor {

        static RunVersion parse(String lastEventId) {
            if (lastEventId == null || lastEventId.isBlank()) {
                return new RunVersion(0);
            }
            try {
                long version = Long.parseLong(lastEventId.trim());
                if (version >= 0) {
                    return new RunVersion(version);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("must be the version of an event of the run");
        }

        @Override
        public boolean covers(StoredEvent event) {
            return event.version() <= version;
        }

        @Override
        public StreamCursor after(StoredEvent event) {
            return new RunVersion(event.version());
        }

        @Override
        public String id() {
            return Long.toString(version);
        }
    }
}
