package dev.agentflow.schemas.domain;

import java.security.SecureRandom;
import java.util.Base64;

/** Prefixed, unguessable (128 random bits), URL-safe identifiers. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Ids() {
    }

    public static String workflowId() {
        return next("wf-");
    }

    public static String stepId() {
        return next("step-");
    }

    public static String runId() {
        return next("wr-");
    }

    public static String jobId() {
        return next("job-");
    }

    public static String eventId() {
        return next("evt-");
    }

    public static String payloadId() {
        return next("pl-");
    }

    public static String sessionId() {
        return next("session-");
    }

    /**
     * A step id derived from a seed that is itself unguessable (for example a new workflow id and a
     * source step id), so that a pure decider can name new steps deterministically.
     */
    public static String derivedStepId(String seed) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "step-" + ENCODER.encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static String next(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + ENCODER.encodeToString(bytes);
    }
}
