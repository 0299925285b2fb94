package dev.agentflow.schemas.limits;

import java.util.ArrayList;
import java.util.List;

/**
 * The limits every part of the engine applies ({@code agentflow.limits.*}), and the largest record
 * they let the engine write: a formula of these limits, never of how many steps a run has had or
 * how many runs a workflow or session has seen. Every instance must run with the same limits.
 *
 * @param maxPayloadBytes    the largest payload (run input, step output, resume output, proposed
 *                           approval output), in UTF-8 bytes
 * @param inlinePayloadBytes payloads up to this size travel inside the records that carry them;
 *                           larger ones are stored once on the payload topic and travel by reference
 * @param payloadChunkBytes  the size of one record of a stored payload
 * @param maxSteps           steps per workflow
 * @param maxDefinitionBytes a workflow's steps in all (ids, agent ids, actions, configs), as JSON
 */
public record Limits(long maxPayloadBytes, int inlinePayloadBytes, int payloadChunkBytes, int maxSteps,
                     int maxDefinitionBytes) {

    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 32L * 1024 * 1024;
    public static final int DEFAULT_INLINE_PAYLOAD_BYTES = 1024;
    public static final int DEFAULT_PAYLOAD_CHUNK_BYTES = 512 * 1024;
    public static final int DEFAULT_MAX_STEPS = 100;
    public static final int DEFAULT_MAX_DEFINITION_BYTES = 256 * 1024;

    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_INLINE_PAYLOAD_BYTES,
            DEFAULT_PAYLOAD_CHUNK_BYTES, DEFAULT_MAX_STEPS, DEFAULT_MAX_DEFINITION_BYTES);

    /** Kafka's default {@code message.max.bytes} and {@code max.request.size}: what every record must fit. */
    public static final int KAFKA_DEFAULT_RECORD_BYTES = 1024 * 1024;
    /** Room kept under Kafka's limit for the record batch and its headers. */
    public static final int RECORD_HEADROOM_BYTES = 16 * 1024;

    /** Error messages (an agent's, a timeout's) are cut to this many characters. */
    public static final int MAX_ERROR_CHARS = 2000;
    /** A reference carries this many characters of its payload as a preview. */
    public static final int PREVIEW_CHARS = 200;
    /** An approval request's tool arguments, as JSON. */
    public static final int MAX_APPROVAL_ARGUMENTS_BYTES = 64 * 1024;
    /** An approval request's tool name. */
    public static final int MAX_TOOL_NAME_CHARS = 200;
    /** Everything of a record that is not a payload, a definition, an error or approval arguments. */
    public static final int ENVELOPE_BYTES = 4 * 1024;
    /** What a reference to a stored payload takes in JSON, beside its preview. */
    public static final int REFERENCE_BYTES = 512;
    /** A character escaped in JSON takes at most this many bytes ({@code \u001f}). */
    public static final int JSON_BYTES_PER_CHAR = 6;
    /** At most this much of a record is the run's earlier steps' payloads (see {@link #earlierStepsBytes}). */
    public static final int MAX_EARLIER_STEPS_BYTES = 256 * 1024;
    /** A dead letter carries at most this much of the record it copies. */
    public static final int DEAD_LETTER_VALUE_BYTES = 256 * 1024;
    /** ... and at most this much of its key and of each header it adds. */
    public static final int DEAD_LETTER_FIELD_BYTES = 4 * 1024;

    public Limits {
        List<String> problems = new ArrayList<>();
        if (maxPayloadBytes < 1) {
            problems.add("max-payload-bytes must be at least 1, was " + maxPayloadBytes);
        }
        if (inlinePayloadBytes < 0 || inlinePayloadBytes > 64 * 1024) {
            problems.add("inline-payload-bytes must be 0..65536, was " + inlinePayloadBytes);
        }
        if (payloadChunkBytes < 1024 || payloadChunkBytes > 768 * 1024) {
            problems.add("payload-chunk-bytes must be 1024..786432, was " + payloadChunkBytes);
        }
        if (maxSteps < 1) {
            problems.add("max-steps must be at least 1, was " + maxSteps);
        }
        if (maxDefinitionBytes < 1024) {
            problems.add("max-definition-bytes must be at least 1024, was " + maxDefinitionBytes);
        }
        if (problems.isEmpty()) {
            long largest = largestRecordBytes(inlinePayloadBytes, payloadChunkBytes, maxDefinitionBytes);
            if (largest > KAFKA_DEFAULT_RECORD_BYTES - RECORD_HEADROOM_BYTES) {
                problems.add("with these limits a record could take " + largest + " bytes, over the "
                        + (KAFKA_DEFAULT_RECORD_BYTES - RECORD_HEADROOM_BYTES) + " that fit Kafka's default"
                        + " record size with room to spare: lower max-definition-bytes, inline-payload-bytes or"
                        + " payload-chunk-bytes");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid agentflow.limits: " + String.join("; ", problems));
        }
    }

    /** The most a payload takes inside a record: inline in the worst case of JSON escaping, or a reference. */
    public long payloadSlotBytes() {
        return payloadSlotBytes(inlinePayloadBytes);
    }

    /** The largest record the engine can write with these limits (see docs/architecture.md). */
    public long largestRecordBytes() {
        return Math.max(largestRecordBytes(inlinePayloadBytes, payloadChunkBytes, maxDefinitionBytes),
                withPayloadsBytes(inlinePayloadBytes, maxDefinitionBytes) + earlierStepsBytes());
    }

    /**
     * The most the run's earlier steps' payloads add to a record (a run's state and an agent
     * request carry them): what is left under Kafka's record size once everything else is counted,
     * and at most {@link #MAX_EARLIER_STEPS_BYTES}. Derived, so that no limits become invalid.
     */
    public long earlierStepsBytes() {
        long room = KAFKA_DEFAULT_RECORD_BYTES - RECORD_HEADROOM_BYTES
                - Math.max(withPayloadsBytes(inlinePayloadBytes, maxDefinitionBytes), 0);
        return Math.max(0, Math.min(MAX_EARLIER_STEPS_BYTES, room));
    }

    /**
     * How many of a run's latest completed steps travel with an agent request (their outputs, and
     * the input of the first): as many payload slots as {@link #earlierStepsBytes} holds, less one.
     */
    public int earlierStepsCarried() {
        return (int) Math.max(0, earlierStepsBytes() / payloadSlotBytes() - 1);
    }

    private static long payloadSlotBytes(int inline) {
        return Math.max((long) JSON_BYTES_PER_CHAR * inline, REFERENCE_BYTES + (long) JSON_BYTES_PER_CHAR * PREVIEW_CHARS);
    }

    /**
     * The largest of: a record carrying the definition, two payloads, an error and an approval
     * (a session exchange carries an action and both payloads of a step; a paused run's step view
     * its approval); a payload chunk; a dead letter.
     */
    private static long largestRecordBytes(int inline, int chunk, int definition) {
        long withPayloads = withPayloadsBytes(inline, definition);
        long payloadChunk = chunk + ENVELOPE_BYTES;
        long deadLetter = DEAD_LETTER_VALUE_BYTES + 8L * DEAD_LETTER_FIELD_BYTES;
        return Math.max(withPayloads, Math.max(payloadChunk, deadLetter));
    }

    /** A record carrying the definition, two payloads, an error and an approval. */
    private static long withPayloadsBytes(int inline, int definition) {
        long approval = MAX_APPROVAL_ARGUMENTS_BYTES + (long) JSON_BYTES_PER_CHAR * (MAX_ERROR_CHARS + MAX_TOOL_NAME_CHARS);
        long error = (long) JSON_BYTES_PER_CHAR * MAX_ERROR_CHARS;
        return ENVELOPE_BYTES + definition + 2 * payloadSlotBytes(inline) + error + approval;
    }

    /** The sentence for a payload over {@link #maxPayloadBytes}: {@code what} is, say, "output of step 2 (agent template)". */
    public String tooLarge(String what, long bytes) {
        return what + " is " + bytes + " bytes, over the limit of " + maxPayloadBytes
                + " bytes (agentflow.limits.max-payload-bytes)";
    }

    /** An error message cut to {@link #MAX_ERROR_CHARS}. */
    public static String cutError(String message) {
        if (message == null || message.length() <= MAX_ERROR_CHARS) {
            return message;
        }
        int end = MAX_ERROR_CHARS - 1;
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end) + "…";
    }
}
