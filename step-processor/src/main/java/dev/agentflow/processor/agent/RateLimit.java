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
 * at least 5 ms, to absorb the network's jitter), in the order they asked; a call that must wait holds
 * no thread: its turn completes a future from a timer, and a call whose turn would come after its
 * deadline fails at once ({@link Saturated}, with when to try again) instead of making a call nobody
 * waits for any more. The instances of the step-processor share the rate by the agent-requests
 * partitions each one owns, so no coordination is needed per call and the shares follow a
 * rebalance: an instance whose share is less than one call per interval gets one call per
 * proportionally longer interval. An endpoint that answers 429 slows it down: no call starts before
 * its {@code Retry-After} has passed, and the rate is halved (down to a sixteenth), then doubled back
 * for each interval without another 429.
 */
final class RateLimit {

    private static final double SLOWEST = 1.0 / 16;
    /** The least margin added to the interval (2% of it at least). */
    private static final Duration MARGIN_MIN = Duration.ofMillis(5);

    /** No turn would come before the call's deadline: try again after {@link #retryAfter()}. */
    static final class Saturated extends RuntimeException {
        private final transient Duration retryAfter;

        Saturated(Duration retryAfter) {
            super("the agent's rate limit leaves no turn within the call's timeout", null, false, false);
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }

    private record Waiting(CompletableFuture<Void> turn, long deadline) {
    }

    private final int calls;
    private final long intervalNanos;
    private final DoubleSupplier share;
    private final ScheduledExecutorService timer;
    /** When the calls in the current window started, oldest first. */
    private final ArrayDeque<Long> starts = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
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

    /** Completes when the call may start; exceptionally ({@link Saturated}) when that is after {@code maxWait}. */
    CompletableFuture<Void> acquire(Duration maxWait) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(new Waiting(turn, System.nanoTime() + maxWait.toNanos()));
        }
        drain();
        return turn;
    }

    /** The endpoint answered 429: nothing starts before {@code retryAfter} has passed, and the rate halves. */
    void slowDown(Duration retryAfter) {
        synchronized (this) {
            long now = System.nanoTime();
            Budget budget = budget();
            long wait = retryAfter != null ? retryAfter.toNanos() : budget.window() / budget.calls();
            pausedUntil = Math.max(pausedUntil, now + wait);
            slowdown = Math.max(SLOWEST, slowdown / 2);
            slowedAt = now;
        }
    }

    /** How many calls may start in which window: {@code calls} per interval, or one per longer window. */
    record Budget(int calls, long window) {
    }

    /** This instance's budget now. */
    synchronized Budget budget() {
        long now = System.nanoTime();
        while (slowdown < 1.0 && now - slowedAt >= intervalNanos) {
            slowdown = Math.min(1.0, slowdown * 2);
            slowedAt += intervalNanos;
        }
        double perInterval = calls * Math.max(0, Math.min(1, share.getAsDouble())) * slowdown;
        if (perInterval >= 1) {
            return new Budget((int) Math.floor(perInterval), intervalNanos);
        }
        // less than one call per interval: one call per proportionally longer window (at most 1000 intervals)
        return new Budget(1, (long) (intervalNanos / Math.max(perInterval, 0.001)));
    }

    /** Starts every waiting call whose turn has come, fails those whose turn comes too late, sets a timer. */
    private void drain() {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        List<Waiting> late = new ArrayList<>();
        long wait = 0;
        synchronized (this) {
            long now = System.nanoTime();
            while (!waiting.isEmpty()) {
                long at = nextStart(now);
                if (at > waiting.peek().deadline()) {
                    late.add(waiting.poll());
                    wait = at - now;
                    continue;
                }
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
                due.add(waiting.poll().turn());
            }
        }
        // outside the lock: the calls start here
        due.forEach(turn -> turn.complete(null));
        Saturated saturated = new Saturated(Duration.ofNanos(wait));
        late.forEach(w -> w.turn().completeExceptionally(saturated));
    }

    /** When the next call may start: once enough of the window's calls have left it, and not while paused. */
    private long nextStart(long now) {
        Budget budget = budget();
        while (!starts.isEmpty() && now - starts.peekFirst() >= budget.window()) {
            starts.pollFirst();
        }
        long at = now;
        if (starts.size() >= budget.calls()) {
            Iterator<Long> oldest = starts.iterator();
            for (int i = 0; i < starts.size() - budget.calls(); i++) {
                oldest.next();
            }
            at = oldest.next() + budget.window();
        }
        return Math.max(at, pausedUntil);
    }
}
