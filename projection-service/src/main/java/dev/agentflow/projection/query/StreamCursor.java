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

    /**
     * A run's stream: the version of the last event sent, and of the deltas streamed after it (the
     * pieces of the answer of the attempt that event started), the last one sent: {@code 12} after
     * event 12, {@code 12.37} after its 37th delta.
     */
    record RunVersion(long version, long delta) implements StreamCursor {

        RunVersion(long version) {
            this(version, 0);
        }

        static RunVersion parse(String lastEventId) {
            if (lastEventId == null || lastEventId.isBlank()) {
                return new RunVersion(0);
            }
            String[] parts = lastEventId.trim().split("\\.", -1);
            try {
                long version = Long.parseLong(parts[0]);
                long delta = parts.length == 2 ? Long.parseLong(parts[1]) : 0;
                if (version >= 0 && delta >= 0 && parts.length <= 2) {
                    return new RunVersion(version, delta);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("must be the version of an event of the run, or <version>.<delta>");
        }

        @Override
        public boolean covers(StoredEvent event) {
            return event.version() <= version;
        }

        @Override
        public StreamCursor after(StoredEvent event) {
            return new RunVersion(event.version());
        }

        /** After the delta {@code seq} of the attempt event {@link #version} started. */
        RunVersion afterDelta(long seq) {
            return new RunVersion(version, seq);
        }

        @Override
        public String id() {
            return delta == 0 ? Long.toString(version) : version + "." + delta;
        }
    }
}
