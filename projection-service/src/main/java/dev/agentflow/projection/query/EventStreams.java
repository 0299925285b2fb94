package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.web.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Opens and tracks the live event streams: history then live events, a heartbeat comment every
 * {@code heartbeat} so idle connections stay open through proxies, and all of them ended as soon
 * as the application starts to close, so open streams never hold up a graceful shutdown.
 */
public final class EventStreams implements ApplicationListener<ContextClosedEvent>, AutoCloseable {

    /** A stream is ended after this long; the client reconnects with Last-Event-ID. */
    private static final Duration MAX_LIFETIME = Duration.ofMinutes(30);

    private final EventFeed feed;
    private final DeltaSource deltas;
    private final EventHistory history;
    private final int maxStreams;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private final ExecutorService senders = Executors.newCachedThreadPool(daemon("event-stream-sender"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            daemon("event-stream-heartbeat"));
    private volatile boolean closing;

    /** @param maxStreams how many streams may be open at once ({@code agentflow.api.max-streams}); 429 past it */
    public EventStreams(EventFeed feed, EventHistory history, Duration heartbeat, int maxStreams) {
        this(feed, DeltaSource.NONE, history, heartbeat, maxStreams);
    }

    /** @param deltas the pieces of answers agents stream, which a run's stream carries between its events */
    public EventStreams(EventFeed feed, DeltaSource deltas, EventHistory history, Duration heartbeat,
                        int maxStreams) {
        this.deltas = deltas;
        this.feed = feed;
        this.history = history;
        this.maxStreams = maxStreams;
        heartbeats.scheduleAtFixedRate(() -> open.forEach(EventStream::heartbeat), heartbeat.toMillis(),
                heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Every event of the run after {@code from}, with the deltas of its attempts between them; ends
     * after the run's last event.
     */
    public SseEmitter run(String runId, StreamCursor.RunVersion from) {
        return open(from, cursor -> history.ofRun(runId), true, runId,
                stream -> {
                    Runnable events = feed.followRun(runId, stream::offer);
                    Runnable pieces = deltas.follow(runId, stream::offerDelta);
                    return () -> {
                        events.run();
                        pieces.run();
                    };
                });
    }

    /** Every event of every run of the workflow that {@code seen} does not cover; does not end by itself. */
    public SseEmitter workflowRuns(String workflowId, PartitionOffsets seen) {
        return open(seen, cursor -> history.ofWorkflowRuns(workflowId, (PartitionOffsets) cursor), false, null,
                stream -> feed.followWorkflowRuns(workflowId, stream::offer));
    }

    private SseEmitter open(StreamCursor cursor, Function<StreamCursor, List<StoredEvent>> past, boolean endsWithRun,
                            String runId, Function<EventStream, Runnable> follow) {
        if (opened.incrementAndGet() > maxStreams) {
            opened.decrementAndGet();
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "This instance has " + maxStreams
                    + " event streams open, the most agentflow.api.max-streams allows; retry later", List.of());
        }
        SseEmitter emitter;
        EventStream stream;
        Runnable unfollow;
        try {
            emitter = new SseEmitter(MAX_LIFETIME.toMillis());
            stream = new EventStream(emitter, cursor, past, endsWithRun, senders, EventStream.BACKLOG, runId,
                    runId == null ? null : deltas);
            unfollow = follow.apply(stream);
        } catch (RuntimeException e) {
            opened.decrementAndGet();
            throw e;
        }
        Runnable end = () -> {
            unfollow.run();
            if (open.remove(stream)) {
                opened.decrementAndGet();
            }
        };
        emitter.onCompletion(end);
        emitter.onTimeout(stream::close);
        emitter.onError(e -> stream.close());
        open.add(stream);
        if (closing) {
            stream.close();
        } else {
            try {
                stream.start();
            } catch (RuntimeException e) {
                stream.close(); // completes the emitter, which gives the place back
                throw e;
            }
        }
        return emitter;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
        open.forEach(EventStream::close);
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        senders.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
