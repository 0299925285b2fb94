package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One client's Server-Sent Events stream: its history after the client's cursor, then each live
 * event as the projection stores it. Live events are queued by the stream thread and sent by one
 * drain at a time on an executor, so a slow client never holds up the projection; one that falls
 * {@value #BACKLOG} events behind is sent what is queued and then disconnected (nothing after a
 * dropped event is sent, so it misses nothing) and resumes from history with {@code Last-Event-ID}.
 */
final class EventStream {

    static final Set<String> TERMINAL = Set.of("RunCompleted", "RunFailed", "RunCancelled");
    private static final int BACKLOG = 10_000;
    private static final Object HEARTBEAT = new Object();

    private final SseEmitter emitter;
    private final Function<StreamCursor, List<StoredEvent>> history;
    private final boolean endsWithRun;
    private final Executor executor;
    private final BlockingQueue<Object> live;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean overflowed;
    private boolean historySent;
    private StreamCursor cursor;

    /**
     * @param history     the stored events after a cursor (the covered ones are skipped anyway)
     * @param endsWithRun whether the stream ends after a run's terminal event
     */
    EventStream(SseEmitter emitter, StreamCursor cursor, Function<StreamCursor, List<StoredEvent>> history,
                boolean endsWithRun, Executor executor) {
        this(emitter, cursor, history, endsWithRun, executor, BACKLOG);
    }

    EventStream(SseEmitter emitter, StreamCursor cursor, Function<StreamCursor, List<StoredEvent>> history,
                boolean endsWithRun, Executor executor, int backlog) {
        this.live = new ArrayBlockingQueue<>(backlog);
        this.emitter = emitter;
        this.cursor = cursor;
        this.history = history;
        this.endsWithRun = endsWithRun;
        this.executor = executor;
    }

    /** Sends the history, then whatever has been queued meanwhile. Call once, after subscribing. */
    void start() {
        drainLater();
    }

    /** Queues a live event (called on the stream thread: never blocks). */
    void offer(StoredEvent event) {
        enqueue(event);
    }

    void heartbeat() {
        enqueue(HEARTBEAT);
    }

    /**
     * Ends the stream (shutdown, timeout, a disconnected client) without waiting: the emitter is
     * completed on the executor, since completing waits for a send in progress, which a stalled
     * client can hold up for as long as its socket stays open.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.execute(emitter::complete);
        } catch (RejectedExecutionException e) {
            // Shutting down: the connection is closed with the server
        }
    }

    boolean closed() {
        return closed;
    }

    /** Once an event did not fit, nothing more is queued: a later event must not overtake it. */
    private synchronized void enqueue(Object item) {
        if (closed || overflowed) {
            return;
        }
        if (!live.offer(item) && item != HEARTBEAT) {
            overflowed = true;
        }
        drainLater();
    }

    private void drainLater() {
        if (draining.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // Shutting down: nothing more is sent, and the connection is closed with the server
                draining.set(false);
                closed = true;
            }
        }
    }

    private void drain() {
        try {
            if (!historySent) {
                historySent = true;
                List<StoredEvent> earlier = history.apply(cursor);
                for (int i = 0; i < earlier.size(); i++) {
                    // a run that ended and was retried goes on: only its last end ends the stream
                    send(earlier.get(i), i == earlier.size() - 1);
                }
            }
            Object item;
            while (!closed && (item = live.poll()) != null) {
                if (item == HEARTBEAT) {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                } else {
                    send((StoredEvent) item, true);
                }
            }
            if (overflowed) {
                close();
            }
        } catch (IOException | RuntimeException e) {
            // The client went away, or the views cannot be read now (a rebalance): it reconnects
            close();
        } finally {
            draining.set(false);
        }
        if (!closed && !live.isEmpty()) {
            drainLater();
        }
    }

    private void send(StoredEvent event, boolean mayEnd) throws IOException {
        if (closed) {
            return;
        }
        if (cursor.covers(event)) {
            return; // sent already (from the history), and whatever followed it too
        }
        cursor = cursor.after(event);
        emitter.send(SseEmitter.event().id(cursor.id()).name(event.type())
                .data(Json.mapper().writeValueAsString(PayloadLinks.linked(event.envelope()))));
        if (mayEnd && endsWithRun && TERMINAL.contains(event.type())) {
            close();
        }
    }
}
