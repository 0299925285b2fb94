package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.AppliedListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Read-your-writes: lets a request wait until a view has applied an aggregate's version. The
 * projection calls {@link #applied} after each event; waiters are kept per aggregate.
 */
public final class VersionWatch implements AppliedListener {

    private record Pending(long version, CompletableFuture<Void> done) {
    }

    private final Map<String, List<Pending>> waiting = new ConcurrentHashMap<>();

    /**
     * Completes once the view of {@code aggregateId} reaches {@code version}.
     *
     * @param current the view's current version, read after registering so no signal is missed
     */
    public CompletableFuture<Void> whenApplied(String aggregateId, long version, LongSupplier current) {
        Pending pending = new Pending(version, new CompletableFuture<>());
        waiting.compute(aggregateId, (id, list) -> {
            List<Pending> next = list == null ? new ArrayList<>() : list;
            next.add(pending);
            return next;
        });
        if (current.getAsLong() >= version) {
            applied(aggregateId, current.getAsLong());
        }
        pending.done().whenComplete((ok, error) -> forget(aggregateId, pending));
        return pending.done();
    }

    @Override
    public void applied(String aggregateId, long version) {
        List<Pending> reached = new ArrayList<>();
        waiting.computeIfPresent(aggregateId, (id, list) -> {
            list.removeIf(p -> {
                if (p.version() <= version) {
                    reached.add(p);
                    return true;
                }
                return false;
            });
            return list.isEmpty() ? null : list;
        });
        reached.forEach(p -> p.done().complete(null));
    }

    private void forget(String aggregateId, Pending pending) {
        waiting.computeIfPresent(aggregateId, (id, list) -> {
            list.remove(pending);
            return list.isEmpty() ? null : list;
        });
    }
}
