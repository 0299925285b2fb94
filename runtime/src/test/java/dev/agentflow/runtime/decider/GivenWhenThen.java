package dev.agentflow.runtime.decider;

import dev.agentflow.schemas.envelope.Rejection;
import java.time.Instant;
import java.util.List;

/**
 * given(events) / when(command at a fixed instant) / then(events or rejection), for any
 * {@link Decider}: the one test helper of every decider test (published in runtime's test jar).
 *
 * @param <C> command type
 * @param <S> state type
 * @param <E> event type
 */
public final class GivenWhenThen<C, S, E> {

    private final Decider<C, S, E, ?> decider;
    private final Instant now;

    /** @param now the instant every command is decided at */
    public GivenWhenThen(Decider<C, S, E, ?> decider, Instant now) {
        this.decider = decider;
        this.now = now;
    }

    /** The state these events fold into, from the initial state. */
    @SafeVarargs
    public final S given(E... history) {
        S state = decider.initialState();
        for (E event : history) {
            state = decider.evolve(state, event);
        }
        return state;
    }

    /** The events the command causes after {@code history}; fails when it is rejected. */
    @SafeVarargs
    public final List<E> accepted(C command, E... history) {
        Decision<E> decision = decider.decide(command, given(history), now);
        if (decision instanceof Decision.Accepted<E> accepted) {
            return accepted.events();
        }
        throw new AssertionError("Expected " + command + " to be accepted, but: " + decision);
    }

    /** Why the command is refused after {@code history}; fails when it is accepted. */
    @SafeVarargs
    public final Rejection rejected(C command, E... history) {
        Decision<E> decision = decider.decide(command, given(history), now);
        if (decision instanceof Decision.Rejected<E> rejected) {
            return rejected.rejection();
        }
        throw new AssertionError("Expected " + command + " to be rejected, but: " + decision);
    }

    /**
     * What the command causes in {@code state}, to compare at a glance: the {@link Rejection.Reason}
     * of its rejection, or the classes of its events in order.
     */
    public Object outcome(C command, S state) {
        Decision<E> decision = decide(command, state);
        return decision instanceof Decision.Rejected<E> rejected ? rejected.rejection().reason()
                : ((Decision.Accepted<E>) decision).events().stream().map(Object::getClass).toList();
    }

    /** The decision on {@code command} in {@code state}. */
    public Decision<E> decide(C command, S state) {
        return decider.decide(command, state, now);
    }
}
