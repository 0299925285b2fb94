package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.AppliedListener;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Read-your-writes: lets a request wait until a view has applied an aggregate's version. The
 * projection calls {@link #applied} after each event; waiters are kept per aggregate.
 */
public final class VersionWatch implements AppliedListener {

    private final Thresholds<String> versions = new Thresholds<>();

    /**
     * Completes once the view of {@code aggregateId} reaches {@code version}.
     *
     * @param current the view's current version, read after registering so no signal is missed
     */
    public CompletableFuture<Void> whenApplied(String aggregateId, long version, LongSupplier current) {
        return versions.whenReached(aggregateId, version, current);
    }

    @Override
    public void applied(String aggregateId, long version) {
        versions.reached(aggregateId, version);
    }
}
