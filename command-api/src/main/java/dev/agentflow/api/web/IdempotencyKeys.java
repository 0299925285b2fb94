package dev.agentflow.api.web;

import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.security.Actors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The {@code Idempotency-Key} request header (IETF draft "The Idempotency-Key HTTP Header Field"):
 * a client's key for one request, so that a retry of it changes nothing and gets the first answer
 * (once it has passed the controller's checks of the workflow as it is now).
 * A key is scoped to the caller and the endpoint (another caller's, or another workflow's, same key
 * is another key) and travels only as a hash; a request is fingerprinted by its content, so the
 * same key with another request is refused (422). The decider keeps each key for
 * {@code agentflow.api.idempotency-retention} (default 24 h).
 */
@Component
@ConditionalOnService("command-api")
public class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    /** On an answer that repeats the first one given for its key (as Stripe's API says it). */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    public static final int MAX_LENGTH = 255;
    /** Visible ASCII; an sf-string's quotes are taken off first. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final Duration retention;

    public IdempotencyKeys(@Value("${agentflow.api.idempotency-retention:24h}") Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("agentflow.api.idempotency-retention must be positive");
        }
        this.retention = retention;
    }

    /**
     * The claim of the header's key for this request, or null when it has none.
     *
     * @param header   the header's value as sent (a structured-field string, quoted, or bare)
     * @param endpoint what the key is scoped to besides the caller, e.g. {@code POST /workflows/wf-1/run}
     * @param content  the request's fields that matter, in a fixed order (the fingerprint)
     * @param answer   the ids the first answer gives, which a repeat gets back
     */
    public Idempotency claim(String header, String endpoint, Map<String, String> answer, String... content) {
        if (header == null) {
            return null;
        }
        String key = header.strip();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest(HEADER, "must be 1 to " + MAX_LENGTH
                    + " visible ASCII characters (a quoted string, e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\")");
        }
        return new Idempotency(sha256(Actors.current(), endpoint, key), sha256(content),
                Instant.now().plus(retention), answer);
    }

    /** The answer to a claimed command, marked as a repeat when it is one. */
    public static <B extends ResponseEntity.HeadersBuilder<B>> B replayed(B answer, CommandReply reply) {
        return reply.repeat() ? answer.header(REPLAYED_HEADER, "true") : answer;
    }

    static String sha256(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                // length-prefixed, so that no two different lists hash alike
                byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
                digest.update((part == null ? "-1:" : bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
