package dev.agentflow.schemas.envelope;

import java.time.Instant;
import java.util.Map;

/**
 * An {@code Idempotency-Key} a client sent with a command: the command is applied once per key
 * within the retention, and a repeat gets the first answer.
 *
 * @param key         the client's key, scoped to the caller and the endpoint and hashed (SHA-256, hex):
 *                    never the key itself
 * @param fingerprint a hash of the request's content: the same key with another request is refused
 * @param retainUntil until when a repeat gets the first answer; after it the key is free again
 * @param answer      the ids of the first answer (a run's {@code runId}, {@code jobId}, {@code sessionId}…),
 *                    which a repeat gets back
 */
public record Idempotency(String key, String fingerprint, Instant retainUntil, Map<String, String> answer) {

    /** The record key of a claimed command: its key's partition holds the claim. */
    public static final String RECORD_KEY_PREFIX = "idempotency|";
    /** The command-type header of a claim, which readers of one command type skip. */
    public static final String CLAIM_TYPE = "IdempotentCommand";

    public Idempotency {
        answer = answer == null ? Map.of() : Map.copyOf(answer);
    }

    public String recordKey() {
        return RECORD_KEY_PREFIX + key;
    }
}
