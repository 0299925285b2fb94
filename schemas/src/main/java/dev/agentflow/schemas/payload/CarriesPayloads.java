package dev.agentflow.schemas.payload;

import java.util.stream.Stream;

/** An event, command or record that holds payloads; any may be null. */
public interface CarriesPayloads {

    Stream<Payload> payloads();

    /**
     * The schema version of an event with payloads: 1 while every payload is inline (the shape
     * version 1 described), 2 once any travels by reference.
     */
    static int schemaVersionOf(Object event) {
        return event instanceof CarriesPayloads carrier && carrier.payloads().anyMatch(p -> p != null && p.isRef())
                ? 2 : 1;
    }
}
