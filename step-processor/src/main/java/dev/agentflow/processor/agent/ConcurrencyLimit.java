package dev.agentflow.processor.agent;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * At most {@code max} calls in flight; the others wait their turn in order, holding no thread, so a
 * burst of runs queues instead of hammering a provider. Queued calls are started by a loop in the
 * thread that freed a slot, never by recursion, so a long queue of calls that complete at once does
 * not grow the stack.
 */
public final class ConcurrencyLimit {

    private final int max;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int running;
    private boolean draining;

    public ConcurrencyLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        this.max = max;
    }

    /** Starts {@code call} when a slot is free; its result, once it completes. */
    public <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<T> started;
            try {
                started = call.get();
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, error) -> {
                release();
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        };
        boolean now;
        synchronized (this) {
            now = running < max && waiting.isEmpty();
            if (now) {
                running++;
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return result;
    }

    /** Frees a slot; starts waiting calls unless a thread is already doing so further up this stack or elsewhere. */
    private void release() {
        synchronized (this) {
            running--;
            if (draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            Runnable next;
            synchronized (this) {
                if (running >= max || waiting.isEmpty()) {
                    draining = false;
                    return;
                }
                next = waiting.poll();
                running++;
            }
            next.run();
        }
    }
}
