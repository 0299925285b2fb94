package dev.agentflow.schemas.envelope;

/** A record whose {@code data} belongs to a sealed family and whose {@code type} names it. */
public interface Envelope<P, SELF extends Envelope<P, SELF>> {

    String type();

    P data();

    SELF withData(P data);
}
