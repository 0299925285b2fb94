package dev.agentflow.schemas.payload;

import java.util.stream.Stream;

/** An event, command or record that holds payloads; any may be null. */
public interface CarriesPayloads {

    Stream<Payload> payloads();
}
