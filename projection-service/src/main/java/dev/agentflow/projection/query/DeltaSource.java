package dev.agentflow.projection.query;

import dev.agentflow.schemas.run.RunDelta;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The recent deltas of runs, as a run's live stream reads them. */
public interface DeltaSource {

    /** None at all. */
    DeltaSource NONE = new DeltaSource() {
        @Override
        public List<RunDelta> deltas(String runId, int stepOrder, int attempt, long afterSeq) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> ended(String runId, int stepOrder, int attempt) {
            return null;
        }

        @Override
        public Runnable follow(String runId, Consumer<RunDelta> follower) {
            return () -> { };
        }
    };

    /** The deltas of the attempt after {@code afterSeq}, in order, as far as they are kept. */
    List<RunDelta> deltas(String runId, int stepOrder, int attempt, long afterSeq);

    /** Completes once the attempt's last delta is here; null when none of its deltas is. */
    CompletableFuture<Void> ended(String runId, int stepOrder, int attempt);

    /** Hands each new delta of the run to {@code follower} (which must only queue it); the action stops it. */
    Runnable follow(String runId, Consumer<RunDelta> follower);
}
