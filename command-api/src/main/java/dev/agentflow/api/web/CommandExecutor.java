package dev.agentflow.api.web;

import dev.agentflow.api.command.CommandGateway;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.payload.PayloadTooLargeException;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.json.TypeRegistry;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.FieldError;
import dev.agentflow.web.security.Actors;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What every write does: send one command on behalf of the authenticated caller, wait (bounded)
 * for the decider's reply, map a rejection to 404 / 409 / 422, and wait until the views show the
 * result (read-your-writes).
 */
@Component
@dev.agentflow.runtime.spring.ConditionalOnService("command-api")
public class CommandExecutor {

    private final CommandGateway gateway;
    private final Duration timeout;

    public CommandExecutor(CommandGateway gateway, @Value("${agentflow.api.command-timeout:30s}") Duration timeout) {
        this.gateway = gateway;
        this.timeout = timeout;
    }

    /** Sends the command and returns the accepted reply; a rejection is thrown as its problem. */
    public <C> CommandReply submit(Topic<String, CommandEnvelope<C>> topic, TypeRegistry<C> types, String jobId,
                                   String aggregateId, C command) {
        return submit(topic, types, jobId, aggregateId, command, null);
    }

    /**
     * Sends the command, as a claim of its {@code Idempotency-Key} when {@code idempotency} is not
     * null, and returns the accepted reply (to a claim: {@link CommandReply#repeat()} when the key
     * was used before, with the first answer); a rejection is thrown as its problem.
     */
    public <C> CommandReply submit(Topic<String, CommandEnvelope<C>> topic, TypeRegistry<C> types, String jobId,
                                   String aggregateId, C command, Idempotency idempotency) {
        CommandReply reply;
        try {
            reply = gateway.send(topic, new CommandEnvelope<>(jobId, types.nameOf(command), aggregateId,
                    Instant.now(), Actors.current(), command, idempotency), timeout);
        } catch (CommandGateway.ReplyTimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), List.of());
        }
        if (!reply.accepted()) {
            throw rejected(reply.rejection());
        }
        return reply;
    }

    /**
     * Writes a command no decider answers on behalf of the authenticated caller, and returns once
     * every in-sync replica has it (acks=all); 503 when it cannot be written in time.
     */
    public <C> void write(Topic<String, CommandEnvelope<C>> topic, TypeRegistry<C> types, String jobId,
                          String aggregateId, C command) {
        try {
            gateway.write(topic, new CommandEnvelope<>(jobId, types.nameOf(command), aggregateId, Instant.now(),
                    Actors.current(), command)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Cannot write the command now: "
                    + e.getCause().getMessage(), List.of());
        } catch (TimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Writing the command took too long", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        }
    }

    /**
     * The payload of a request field: inline when small, else stored on the payload topic (waiting
     * for every chunk to be acknowledged); 413 over {@code agentflow.limits.max-payload-bytes}.
     */
    public Payload payload(PayloadStore payloads, String field, String text) {
        try {
            return payloads.externalize(text, field).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PayloadTooLargeException tooLarge) {
                throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage(), List.of(new FieldError(
                        field, "must be at most " + tooLarge.limit() + " bytes in UTF-8 (was " + tooLarge.bytes() + ")")));
            }
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Cannot store the " + field + " now: "
                    + e.getCause().getMessage(), List.of());
        } catch (TimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Storing the " + field + " took too long", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        }
    }

    /** Waits until a view has applied the reply's version. */
    public void awaitView(CompletableFuture<Void> applied) {
        try {
            applied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "The change was accepted but the views have not caught up yet; retry the read", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static ApiException rejected(Rejection rejection) {
        HttpStatus status = switch (rejection.reason()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
        };
        List<FieldError> errors = rejection.field() == null ? List.of()
                : List.of(new FieldError(rejection.field(), rejection.detail()));
        return new ApiException(status, rejection.detail(), errors);
    }
}
