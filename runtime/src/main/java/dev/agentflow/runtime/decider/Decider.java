package dev.agentflow.runtime.decider;

/**
 * A pure decider: no Kafka, no Spring, no clock, no I/O. The Kafka Streams processors load the
 * state, call {@link #decide}, fold the events with {@link #evolve}, store the state and forward
 * the events, in one exactly-once transaction.
 *
 * @param <C> command type
 * @param <S> state type
 * @param <E> event type
 */
public interface Decider<C, S, E> {

    S initialState();

    /** The events the command causes in this state, or why it is refused. Mutates nothing. */
    Decision<E> decide(C command, S state);

    /** The state after the event. */
    S evolve(S state, E event);

    default boolean isTerminal(S state) {
        return false;
    }
}
