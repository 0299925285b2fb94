package dev.agentflow.processor.agent;

import dev.agentflow.runtime.agents.AgentDefinition.Rate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * At most {@code calls} calls to an agent's endpoint in any {@code interval} (a sliding window, 2% longer,
 * at least 5 ms, to absorb the network's jitter), in
 * the order they asked; a call that must wait holds no thread: its turn completes a future from a
 * timer. The instances of the step-processor share the rate by the agent-requests partitions each
 * one owns (each may make its share of the calls, at least one per interval), so no coordination is
 * needed per call and the shares follow a rebalance. An endpoint that answers 429 slows it down: no
 * call starts before its {@code Retry-After} has passed, and the rate is halved (down to a
 * sixteenth), then doubled back for each interval without another 429.
 */
final class RateLimit {

    private static final double SLOWEST = 1.0 / 16;
    /** The least margin added to the interval (2% of it at least). */
    private static final Duration MARGIN_MIN = Duration.ofMillis(5);

    private final int calls;
    private final long intervalNanos;
    private final DoubleSupplier share;
    private final ScheduledExecutorService timer;
    /** When the calls in the current window started, oldest first. */
    private final ArrayDeque<Long> starts = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private long pausedUntil = Long.MIN_VALUE;
    private double slowdown = 1.0;
    private long slowedAt;
    private boolean scheduled;

    /** @param share this instance's share of the rate, 0..1 */
    RateLimit(Rate rate, DoubleSupplier share, ScheduledExecutorService timer) {
        this.calls = rate.calls();
        // a margin, so that the endpoint, which counts arrivals, never sees more than calls in its own
        // interval when the network delays one call more than the next
        long interval = rate.interval().toNanos();
        this.intervalNanos = interval + Math.max(MARGIN_MIN.toNanos(), interval / 50);
        this.share = share;
        this.timer = timer;
    }

    /** Completes when the call may start. */
    CompletableFuture<Void> acquire() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(turn);
        }
        drain();
        return turn;
    }

    /** The endpoint answered 429: nothing starts before {@code retryAfter} has passed, and the rate halves. */
    void slowDown(Duration retryAfter) {
        synchronized (this) {
            long now = System.nanoTime();
            long wait = retryAfter != null ? retryAfter.toNanos() : intervalNanos / Math.max(1, allowed());
            pausedUntil = Math.max(pausedUntil, now + wait);
            slowdown = Math.max(SLOWEST, slowdown / 2);
            slowedAt = now;
        }
    }

    /** How many calls this instance may start in an interval now. */
    synchronized int allowed() {
        long now = System.nanoTime();
        while (slowdown < 1.0 && now - slowedAt >= intervalNanos) {
            slowdown = Math.min(1.0, slowdown * 2);
            slowedAt += intervalNanos;
        }
        double mine = Math.max(0, Math.min(1, share.getAsDouble()));
        return Math.max(1, (int) Math.floor(calls * mine * slowdown));
    }

    /** Starts every waiting call whose turn has come, and sets a timer for the next. */
    private void drain() {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            while (!waiting.isEmpty()) {
                long at = nextStart(now);
                if (at > now) {
                    if (!scheduled) {
                        scheduled = true;
                        timer.schedule(() -> {
                            synchronized (this) {
                                scheduled = false;
                            }
                            drain();
                        }, at - now, TimeUnit.NANOSECONDS);
                    }
                    break;
                }
                starts.add(now);
                due.add(waiting.poll());
            }
        }
        due.forEach(turn -> turn.complete(null)); // outside the lock: the calls start here
    }

    /** When the next call may start: once enough of the window's calls have left it, and not while paused. */
    private long nextStart(long now) {
        while (!starts.isEmpty() && now - starts.peekFirst() >= intervalNanos) {
            starts.pollFirst();
        }
        int allowed = allowed();
        long at = now;
        if (starts.size() >= allowed) {
            Iterator<Long> oldest = starts.iterator();
            for (int i = 0; i < starts.size() - allowed; i++) {
                oldest.next();
            }
            at = oldest.next() + intervalNanos;
        }
        return Math.max(at, pausedUntil);
    }
}
