package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.RunDelta;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

/**
 * One client's Server-Sent Events stream: its history after the client's cursor, then each live
 * event as the projection stores it. Live events are queued by the stream thread and sent by one
 * drain at a time on an executor, so a slow client never holds up the projection; one that falls
 * {@value #BACKLOG} events behind is sent what is queued and then disconnected (nothing after a
 * dropped event is sent, so it misses nothing) and resumes from history with {@code Last-Event-ID}.
 */
final class EventStream {

    static final Set<String> TERMINAL = Set.of("RunCompleted", "RunFailed", "RunCancelled");
    private static final String STEP_STARTED = "StepStarted";
    /** What an agent's answer ends in: the attempt's last delta is written before it. */
    private static final Set<String> ANSWERED = Set.of("StepCompleted", "StepAttemptFailed", "StepFailed",
            "RunPaused");
    static final int BACKLOG = 10_000;
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
    private final String runId;
    private final DeltaSource deltas;
    /** The attempt whose deltas are streamed now (after its StepStarted, before the run's next event). */
    private boolean streaming;
    private int streamingStep;
    private int streamingAttempt;
    private long sentSeq;
    /** The invocation whose deltas are streamed (an attempt invoked again streams anew). */
    private String streamingInvocation;
    /** Whether the history is being sent: an attempt's end is waited for only live. */
    private boolean replaying;
    /** How long an event that ends an attempt waits for the attempt's last delta, when some came. */
    static final Duration END_WAIT = Duration.ofSeconds(2);

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
        this(emitter, cursor, history, endsWithRun, executor, backlog, null, null);
    }

    /**
     * A run's stream with the deltas its agents stream: after each {@code StepStarted}, the pieces of
     * that attempt's answer as {@code event: delta}, each with the id {@code <version>.<seq>}, until
     * the next event of the run; before an event that ends the attempt, every delta of it that has
     * come (waiting up to {@link #END_WAIT} for its last when some came), so none comes after it.
     */
    EventStream(SseEmitter emitter, StreamCursor cursor, Function<StreamCursor, List<StoredEvent>> history,
                boolean endsWithRun, Executor executor, int backlog, String runId, DeltaSource deltas) {
        this.runId = runId;
        this.deltas = deltas;
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

    /** Queues a live delta of the run (called on the delta feed's thread: never blocks). */
    void offerDelta(RunDelta delta) {
        enqueue(delta);
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
            executor.execute(this::complete);
        } catch (RejectedExecutionException e) {
            // Shutting down: the connection is closed with the server
        }
    }

    boolean closed() {
        return closed;
    }

    private void complete() {
        try {
            emitter.complete();
        } catch (RuntimeException e) {
            // The container ended the request first (the client went away: Tomcat refuses an
            // application thread's use of it after its error callbacks returned); nothing is left to end
        }
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
                replaying = true;
                for (int i = 0; i < earlier.size(); i++) {
                    StoredEvent event = earlier.get(i);
                    if (deltas != null && cursor instanceof StreamCursor.RunVersion at && at.version() == event.version()
                            && STEP_STARTED.equals(event.type())) {
                        // a client that reconnects within an attempt's deltas gets the rest of them
                        startDeltas(event, at.delta());
                        sendKeptDeltas();
                    }
                    // a run that ended and was retried goes on: only its last end ends the stream
                    send(earlier.get(i), i == earlier.size() - 1);
                }
                replaying = false;
            }
            Object item;
            while (!closed && (item = live.poll()) != null) {
                if (item == HEARTBEAT) {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                } else if (item instanceof RunDelta delta) {
                    sendLive(delta);
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
        if (streaming) {
            // the attempt's deltas all come before whatever follows its StepStarted
            finishDeltas(!replaying && endsTheAttempt(event));
        }
        cursor = cursor.after(event);
        emitter.send(SseEmitter.event().id(cursor.id()).name(event.type())
                .data(Json.mapper().writeValueAsString(PayloadLinks.linked(event.envelope()))));
        if (deltas != null && STEP_STARTED.equals(event.type())) {
            startDeltas(event, 0);
            sendKeptDeltas();
        }
        if (mayEnd && endsWithRun && TERMINAL.contains(event.type())) {
            close();
        }
    }

    private void startDeltas(StoredEvent stepStarted, long after) {
        JsonNode data = stepStarted.envelope().path("data");
        streaming = true;
        streamingStep = data.path("stepOrder").asInt();
        streamingAttempt = data.path("attempt").asInt();
        streamingInvocation = null;
        sentSeq = after;
    }

    /** Whether the event is the agent's answer to the attempt being streamed. */
    private boolean endsTheAttempt(StoredEvent event) {
        JsonNode data = event.envelope().path("data");
        return ANSWERED.contains(event.type()) && data.path("stepOrder").asInt() == streamingStep
                && (!data.has("attempt") || data.path("attempt").asInt() == streamingAttempt);
    }

    /** Sends what is left of the attempt's deltas (waiting a little for its last one when {@code answered}). */
    private void finishDeltas(boolean answered) throws IOException {
        if (answered) {
            CompletableFuture<Void> ended = deltas.ended(runId, streamingStep, streamingAttempt);
            if (ended != null) {
                try {
                    ended.get(END_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // sent as far as they came
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        sendKeptDeltas();
        streaming = false;
    }

    private void sendKeptDeltas() throws IOException {
        for (RunDelta delta : deltas.deltas(runId, streamingStep, streamingAttempt, sentSeq)) {
            sendDelta(delta);
        }
    }

    /** A delta as it comes: sent when it belongs to the attempt being streamed (the kept ones fill a gap). */
    private void sendLive(RunDelta delta) throws IOException {
        if (!streaming || delta.stepOrder() != streamingStep || delta.attempt() != streamingAttempt) {
            return; // an attempt not streamed yet keeps its deltas for when its StepStarted is sent
        }
        if (streamingInvocation != null && !streamingInvocation.equals(delta.invocation())) {
            // the attempt was invoked again: its answer streams anew, from its first piece (the feed keeps those)
            sentSeq = 0;
            streamingInvocation = delta.invocation();
            sendKeptDeltas();
        } else if (delta.seq() > sentSeq + 1) {
            sendKeptDeltas();
        } else if (delta.seq() == sentSeq + 1) {
            sendDelta(delta);
        }
    }

    private void sendDelta(RunDelta delta) throws IOException {
        if (streamingInvocation != null && !streamingInvocation.equals(delta.invocation())) {
            sentSeq = 0; // the attempt was invoked again: its answer streams anew, from its first piece
        }
        streamingInvocation = delta.invocation();
        if (closed || delta.seq() <= sentSeq) {
            return;
        }
        sentSeq = delta.seq();
        if (delta.end()) {
            return; // the end says nothing to a watcher: the step's own event follows
        }
        cursor = ((StreamCursor.RunVersion) cursor).afterDelta(delta.seq());
        emitter.send(SseEmitter.event().id(cursor.id()).name("delta").data(Json.mapper().writeValueAsString(delta)));
    }
}
