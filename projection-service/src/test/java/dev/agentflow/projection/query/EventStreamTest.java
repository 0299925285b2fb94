package dev.agentflow.projection.query;

import static dev.agentflow.projection.query.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.schemas.run.RunDelta;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

class EventStreamTest {

    private static final Pattern ID = Pattern.compile("(?m)^id:(\\S+)$");

    /** Records the ids sent; {@code duringSend} runs inside each send, as a concurrent offer would. */
    private static class RecordingEmitter extends SseEmitter {

        final List<String> ids = new ArrayList<>();
        final CountDownLatch completed = new CountDownLatch(1);
        Runnable duringSend = () -> { };

        @Override
        public synchronized void send(SseEventBuilder builder) throws IOException {
            String text = builder.build().stream().map(d -> d.getData().toString()).collect(Collectors.joining());
            Matcher id = ID.matcher(text);
            if (id.find()) {
                ids.add(id.group(1));
            }
            duringSend.run();
        }

        /** Shares the send's lock, as Spring's emitter does. */
        @Override
        public synchronized void complete() {
            completed.countDown();
        }
    }

    @Test
    void afterAnEventDidNotFitSendsWhatIsQueuedThenEndsSoTheClientResumesWithoutAGap() {
        Queue<Runnable> tasks = new ArrayDeque<>();
        RecordingEmitter emitter = new RecordingEmitter();
        EventStream stream = new EventStream(emitter, new StreamCursor.RunVersion(0), cursor -> List.of(), false,
                tasks::add, 2);
        stream.start();
        runAll(tasks);

        stream.offer(event(1));
        stream.offer(event(2));
        stream.offer(event(3));
        // The stream thread keeps offering while the queued events are sent: room frees up again
        emitter.duringSend = () -> stream.offer(event(4));
        stream.heartbeat();
        runAll(tasks);

        assertThat(emitter.ids).containsExactly("1", "2");
        assertThat(stream.closed()).isTrue();
        assertThat(emitter.completed.getCount()).isZero();
    }

    @Test
    void aClientGoneBeforeTheStreamIsCompletedThrowsNothingOnTheSender() {
        Queue<Runnable> tasks = new ArrayDeque<>();
        SseEmitter endedByTheContainer = new SseEmitter() {
            @Override
            public void complete() {
                throw new IllegalStateException("A non-container (application) thread attempted to use the "
                        + "AsyncContext after an error had occurred");
            }
        };
        EventStream stream = new EventStream(endedByTheContainer, new StreamCursor.RunVersion(0), cursor -> List.of(),
                true, tasks::add);

        stream.close();

        assertThat(stream.closed()).isTrue();
        assertThatCode(() -> runAll(tasks)).as("an uncaught exception would end the sender thread")
                .doesNotThrowAnyException();
    }

    @Test
    void closingDoesNotWaitForASendStalledOnItsClient() throws Exception {
        ExecutorService senders = Executors.newCachedThreadPool();
        try {
            CountDownLatch sending = new CountDownLatch(1);
            CountDownLatch clientReads = new CountDownLatch(1);
            RecordingEmitter emitter = new RecordingEmitter();
            emitter.duringSend = () -> {
                sending.countDown();
                await(clientReads);
            };
            List<StoredEvent> history = List.of(event(1), event(2));
            EventStream stream = new EventStream(emitter, new StreamCursor.RunVersion(0), cursor -> history, true,
                    senders);
            stream.start();
            assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();

            assertTimeoutPreemptively(Duration.ofSeconds(5), stream::close);

            assertThat(emitter.completed.getCount()).as("completing waits for the send").isOne();
            clientReads.countDown();
            assertThat(emitter.completed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(emitter.ids).as("nothing is sent once closed").containsExactly("1");
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void aRunThatFailedAndWasRetriedIsStreamedOnUntilItsLastEnd() {
        Queue<Runnable> tasks = new ArrayDeque<>();
        RecordingEmitter emitter = new RecordingEmitter();
        List<StoredEvent> history = List.of(typed(1, "RunStarted"), typed(2, "RunFailed"), typed(3, "RunRetried"),
                typed(4, "StepStarted"));
        EventStream stream = new EventStream(emitter, new StreamCursor.RunVersion(0), cursor -> history, true,
                tasks::add);
        stream.start();
        runAll(tasks);
        assertThat(emitter.ids).containsExactly("1", "2", "3", "4");
        assertThat(stream.closed()).as("the run goes on after its retry").isFalse();

        stream.offer(typed(2, "RunFailed")); // sent already: neither sent again nor an end
        stream.offer(typed(5, "RunCompleted"));
        runAll(tasks);

        assertThat(emitter.ids).containsExactly("1", "2", "3", "4", "5");
        assertThat(stream.closed()).isTrue();
    }

    /** Deltas kept in memory, as the delta feed keeps them. */
    private static final class KeptDeltas implements DeltaSource {
        final List<RunDelta> all = new ArrayList<>();

        @Override
        public synchronized List<RunDelta> deltas(String runId, int stepOrder, int attempt, long afterSeq) {
            return all.stream().filter(d -> d.stepOrder() == stepOrder && d.attempt() == attempt && d.seq() > afterSeq)
                    .toList();
        }

        @Override
        public synchronized CompletableFuture<Void> ended(String runId, int stepOrder, int attempt) {
            return all.stream().anyMatch(d -> d.stepOrder() == stepOrder && d.attempt() == attempt && d.end())
                    ? CompletableFuture.completedFuture(null) : null;
        }

        @Override
        public Runnable follow(String runId, java.util.function.Consumer<RunDelta> follower) {
            return () -> { };
        }
    }

    private static StoredEvent step(long version, String type, int stepOrder, int attempt) {
        StoredEvent event = typed(version, type);
        ((tools.jackson.databind.node.ObjectNode) event.envelope()).putObject("data").put("stepOrder", stepOrder)
                .put("attempt", attempt);
        return event;
    }

    private static RunDelta delta(long seq, String text) {
        return new RunDelta("wr-1", 1, 1, "i-1", seq, text == null ? RunDelta.END : RunDelta.TEXT, text, null);
    }

    @Test
    void aRunsDeltasComeBetweenItsStepStartedAndTheStepsEndAndAReconnectGetsTheRest() {
        Queue<Runnable> tasks = new ArrayDeque<>();
        KeptDeltas kept = new KeptDeltas();
        kept.all.addAll(List.of(delta(1, "a"), delta(2, "b"), delta(3, "c")));
        List<StoredEvent> history = new ArrayList<>(List.of(typed(1, "RunStarted"), step(2, "StepStarted", 1, 1)));
        RecordingEmitter emitter = new RecordingEmitter();
        EventStream stream = new EventStream(emitter, new StreamCursor.RunVersion(0), cursor -> List.copyOf(history),
                true, tasks::add, 100, "wr-1", kept);
        stream.start();
        runAll(tasks);
        assertThat(emitter.ids).containsExactly("1", "2", "2.1", "2.2", "2.3");

        kept.all.add(delta(4, "d"));
        stream.offerDelta(delta(4, "d"));
        stream.offerDelta(delta(2, "b")); // read again: not sent twice
        runAll(tasks);
        assertThat(emitter.ids).containsExactly("1", "2", "2.1", "2.2", "2.3", "2.4");

        // the step's answer comes before its last deltas were offered: they are sent first
        kept.all.addAll(List.of(delta(5, "e"), delta(6, null)));
        StoredEvent completed = step(3, "StepCompleted", 1, 1);
        history.add(completed);
        stream.offer(completed);
        runAll(tasks);
        assertThat(emitter.ids).containsExactly("1", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "3");

        RecordingEmitter again = new RecordingEmitter();
        EventStream resumed = new EventStream(again, StreamCursor.RunVersion.parse("2.3"),
                cursor -> List.copyOf(history), true, tasks::add, 100, "wr-1", kept);
        resumed.start();
        runAll(tasks);
        assertThat(again.ids).as("reconnected after delta 3 of version 2").containsExactly("2.4", "2.5", "3");
    }

    @Test
    void anAttemptInvokedAgainStreamsAnewFromItsFirstPiece() {
        Queue<Runnable> tasks = new ArrayDeque<>();
        KeptDeltas kept = new KeptDeltas();
        kept.all.addAll(List.of(delta(1, "a"), delta(2, "b")));
        List<StoredEvent> history = List.of(typed(1, "RunStarted"), step(2, "StepStarted", 1, 1));
        RecordingEmitter emitter = new RecordingEmitter();
        EventStream stream = new EventStream(emitter, new StreamCursor.RunVersion(0), cursor -> history, true,
                tasks::add, 100, "wr-1", kept);
        stream.start();
        runAll(tasks);

        // the worker crashed; the attempt is invoked again, and the feed keeps only the new invocation's
        RunDelta again = new RunDelta("wr-1", 1, 1, "i-2", 1, RunDelta.TEXT, "A", null);
        kept.all.clear();
        kept.all.add(again);
        stream.offerDelta(again);
        runAll(tasks);

        assertThat(emitter.ids).containsExactly("1", "2", "2.1", "2.2", "2.1");
    }

    private static StoredEvent typed(long version, String type) {
        return event(0, version, version, type, "2026-01-01T00:00:00Z");
    }

    private static void runAll(Queue<Runnable> tasks) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
