package dev.agentflow.runtime.decider;

import java.time.Instant;
import java.util.List;

/**
 * A pure decider: no Kafka, no Spring, no clock, no I/O. The one decider runtime
 * ({@code runtime.kafka.DeciderProcessor}) loads the state, calls {@link #decide} with the time of
 * the command's processing, folds the events with {@link #evolve}, stores the state, forwards the
 * events in envelopes numbered by {@link #version} and what {@link #react} asks for, in one
 * exactly-once transaction.
 *
 * @param <C> command type
 * @param <S> state type
 * @param <E> event type
 * @param <R> reaction type: what an event asks of others (commands to other aggregates, agent requests)
 */
public interface Decider<C, S, E, R> {

    S initialState();

    /**
     * The events the command causes in this state, or why it is refused. Mutates nothing.
     *
     * @param now when the command is processed: the same instant for every decider, so timers are
     *            deterministic and tests can fix it
     */
    Decision<E> decide(C command, S state, Instant now);

    /** The state after the event. */
    S evolve(S state, E event);

    /** The aggregate version of a state: how many events were folded into it. */
    long version(S state);

    /** What the event, folded into {@code state}, asks of other aggregates or workers. */
    default List<R> react(S state, E event) {
        return List.of();
    }

    /**
     * On whose behalf the aggregate goes on when a command names nobody (an agent's result, a
     * timer): the principal of its latest command that named one; null if it does not remember.
     */
    default String actor(S state) {
        return null;
    }

    /** The state, remembering that it goes on on behalf of {@code actor} (not an event). */
    default S actedBy(S state, String actor) {
        return state;
    }
}
