package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunDelta;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where an agent streams the pieces of its answer as they come (the run-deltas topic): one
 * {@link Stream} per attempt, numbered 1, 2, 3 …, ended by an {@code end} delta whose write is
 * acknowledged before the attempt's result is recorded, so a watcher has every piece before the
 * step's {@code StepCompleted}. Never the record of the step: a delta that cannot be written is lost
 * and the step goes on.
 */
public interface Deltas {

    /** Streams nothing. */
    Deltas NONE = (request, delta) -> CompletableFuture.completedFuture(null);

    /** Writes one delta; completes once written (or failed to be: never exceptionally). */
    CompletableFuture<Void> write(AgentRequest request, RunDelta delta);

    /** Whether agents should ask their endpoints to stream at all. */
    default boolean enabled() {
        return this != NONE;
    }

    default Stream open(AgentRequest request) {
        return new Stream(this, request);
    }

    /** The deltas of one attempt. */
    final class Stream {

        private final Deltas deltas;
        private final AgentRequest request;
        private final AtomicLong seq = new AtomicLong();
        private final String invocation = java.util.UUID.randomUUID().toString();

        Stream(Deltas deltas, AgentRequest request) {
            this.deltas = deltas;
            this.request = request;
        }

        /** A piece of the answer's text (split when long). */
        void text(String piece) {
            split(RunDelta.TEXT, piece, null);
        }

        /** A piece of a tool call: its name once known, and a piece of its arguments. */
        void toolCall(String tool, String arguments) {
            split(RunDelta.TOOL_CALL, arguments == null ? "" : arguments, tool);
        }

        private void split(String kind, String piece, String tool) {
            if (piece == null || (piece.isEmpty() && tool == null)) {
                return;
            }
            int max = RunDelta.MAX_TEXT_CHARS;
            for (int from = 0; from < Math.max(1, piece.length()); from += max) {
                String part = piece.substring(from, Math.min(piece.length(), from + max));
                deltas.write(request, new RunDelta(request.runId(), request.stepOrder(), request.attempt(),
                        invocation, seq.incrementAndGet(), kind, part, from == 0 ? tool : null));
            }
        }

        /** How many deltas were written so far. */
        long count() {
            return seq.get();
        }

        /** The attempt's last delta; completes once it is written (the others were written before it). */
        CompletableFuture<Void> end() {
            if (seq.get() == 0) {
                return CompletableFuture.completedFuture(null); // nothing streamed: nothing to end
            }
            return deltas.write(request, new RunDelta(request.runId(), request.stepOrder(), request.attempt(),
                    invocation, seq.incrementAndGet(), RunDelta.END, null, null));
        }
    }
}
