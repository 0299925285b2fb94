package dev.agentflow.runtime.kafka;

import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The first node of a decider's topology: applies each command sent with an {@code Idempotency-Key}
 * once per key. A claim ({@link CommandEnvelope#idempotency()} set, keyed by
 * {@link Idempotency#recordKey()}) whose key is free is kept in the store and its command written
 * again, keyed by its aggregate and without the claim, to the command topic, in the same transaction;
 * a claim of a key already held with the same fingerprint is answered with the first answer and
 * changes nothing; with another fingerprint it is refused (422). A key is held until its
 * {@link Idempotency#retainUntil()}; a punctuator drops the expired ones. Every other command goes
 * on to the decider unchanged.
 *
 * <p>The store holds {@code c|<key>} → the claim and {@code t|<retainUntil ms, 19 digits>|<key>} → ""
 * (the expiry order), with a changelog: it cannot be rebuilt from anything kept longer.
 *
 * @param <C> command type
 */
public final class IdempotencyProcessor<C> implements Processor<String, CommandEnvelope<C>, String, Object> {

    /** How often expired keys are dropped. */
    static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    private static final String CLAIM = "c|";
    private static final String EXPIRY = "t|";

    /**
     * Where it sends things.
     *
     * @param store            the claims (see {@link #store})
     * @param decider          the decider's processor, which gets every command that is not a claim
     * @param commandsSink     the sink of the command topic (a claimed command goes there)
     * @param repliesSink      the sink of command-replies
     * @param answersFirstUse  whether the first use of a key is answered here (a command its decider
     *                         does not answer, such as a run's start) or left to the decider
     */
    public record Spec(String store, String decider, String commandsSink, String repliesSink,
                       boolean answersFirstUse) {
    }

    private final Spec spec;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Idempotency> claims;

    public IdempotencyProcessor(Spec spec) {
        this.spec = spec;
    }

    /** The claims' store, with a changelog. */
    public static StoreBuilder<KeyValueStore<String, Idempotency>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                JsonSerde.of(Idempotency.class)).withLoggingEnabled(Map.of());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.claims = context.getStateStore(spec.store());
        context.schedule(PURGE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::purge);
    }

    @Override
    public void process(Record<String, CommandEnvelope<C>> record) {
        CommandEnvelope<C> command = record.value();
        Idempotency claim = command == null ? null : command.idempotency();
        if (claim == null) {
            context.forward(record, spec.decider());
            return;
        }
        if (command.data() == null || claim.key() == null || claim.fingerprint() == null
                || claim.retainUntil() == null) {
            reply(CommandReply.rejected(command.commandId(), command.aggregateId(), Rejection.unprocessable(
                    "Idempotency-Key", "The claim of an idempotency key lacks its key, fingerprint or retention")));
            return;
        }
        long now = context.currentSystemTimeMs();
        Idempotency held = claims.get(CLAIM + claim.key());
        if (held != null && held.retainUntil().toEpochMilli() > now) {
            if (held.fingerprint().equals(claim.fingerprint())) {
                reply(CommandReply.claimed(command.commandId(), held.answer().getOrDefault("aggregateId",
                        command.aggregateId()), held.answer(), true));
            } else {
                reply(CommandReply.rejected(command.commandId(), command.aggregateId(), Rejection.unprocessable(
                        "Idempotency-Key", "This Idempotency-Key was used with a different request; "
                                + "use a new key for a new request")));
            }
            return;
        }
        if (held != null) {
            claims.delete(EXPIRY + expiryKey(held));
        }
        claims.put(CLAIM + claim.key(), claim);
        claims.put(EXPIRY + expiryKey(claim), new Idempotency(claim.key(), "", claim.retainUntil(), Map.of()));
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.COMMAND_TYPE_HEADER, command.type().getBytes(StandardCharsets.UTF_8));
        RecordTracing.copy(record.headers(), headers); // the run's trace goes on from the request that started it
        context.forward(new Record<>(command.aggregateId(), command.withoutIdempotency(), record.timestamp(), headers),
                spec.commandsSink());
        if (spec.answersFirstUse()) {
            reply(CommandReply.claimed(command.commandId(), command.aggregateId(), claim.answer(), false));
        }
    }

    private static String expiryKey(Idempotency claim) {
        return String.format("%019d|%s", Math.max(0, claim.retainUntil().toEpochMilli()), claim.key());
    }

    private void reply(CommandReply reply) {
        context.forward(new Record<>(reply.commandId(), reply, context.currentSystemTimeMs()), spec.repliesSink());
    }

    /** Drops every claim whose retention has passed, in expiry order. */
    void purge(long now) {
        List<KeyValue<String, Idempotency>> due = new ArrayList<>();
        try (KeyValueIterator<String, Idempotency> expiring = claims.range(EXPIRY,
                EXPIRY + String.format("%019d", now))) {
            while (expiring.hasNext()) {
                due.add(expiring.next());
            }
        }
        for (KeyValue<String, Idempotency> entry : due) {
            claims.delete(entry.key);
            Idempotency held = entry.value == null ? null : claims.get(CLAIM + entry.value.key());
            if (held != null && !held.retainUntil().isAfter(Instant.ofEpochMilli(now))) {
                claims.delete(CLAIM + held.key());
            }
        }
    }
}
