package dev.agentflow.projection.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Waiters for a number that only grows per key (a view's version, a partition's offset read):
 * each completes once its key reaches the number it waits for.
 *
 * @param <K> the key
 */
final class Thresholds<K> {

    private record Waiter(long value, CompletableFuture<Void> done) {
    }

    private final Map<K, List<Waiter>> waiting = new ConcurrentHashMap<>();

    /**
     * Completes once {@code key} reaches {@code value}.
     *
     * @param current the key's number now, read after registering so no signal is missed
     */
    CompletableFuture<Void> whenReached(K key, long value, LongSupplier current) {
        Waiter waiter = new Waiter(value, new CompletableFuture<>());
        waiting.compute(key, (k, list) -> {
            List<Waiter> next = list == null ? new ArrayList<>() : list;
            next.add(waiter);
            return next;
        });
        long now = current.getAsLong();
        if (now >= value) {
            reached(key, now);
        }
        waiter.done().whenComplete((ok, error) -> waiting.computeIfPresent(key, (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        }));
        return waiter.done();
    }

    /** {@code key} is at {@code value}: completes every waiter up to it. */
    void reached(K key, long value) {
        List<Waiter> reached = new ArrayList<>();
        waiting.computeIfPresent(key, (k, list) -> {
            list.removeIf(w -> {
                if (w.value() <= value) {
                    reached.add(w);
                    return true;
                }
                return false;
            });
            return list.isEmpty() ? null : list;
        });
        reached.forEach(w -> w.done().complete(null));
    }
}
