package dev.agentflow.runtime.decider;

import dev.agentflow.schemas.envelope.Rejection;
import java.util.List;

/** What a decider answers: the events a command causes, or why it is refused. */
public sealed interface Decision<E> {

    record Accepted<E>(List<E> events) implements Decision<E> {
        public Accepted {
            events = List.copyOf(events);
        }
    }

    record Rejected<E>(Rejection rejection) implements Decision<E> {
    }

    static <E> Decision<E> accept(List<E> events) {
        return new Accepted<>(events);
    }

    @SafeVarargs
    static <E> Decision<E> accept(E... events) {
        return new Accepted<>(List.of(events));
    }

    static <E> Decision<E> reject(Rejection rejection) {
        return new Rejected<>(rejection);
    }
}
