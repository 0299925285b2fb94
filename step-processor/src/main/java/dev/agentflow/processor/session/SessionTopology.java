package dev.agentflow.processor.session;

import dev.agentflow.runtime.kafka.RebuiltStores;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * run-events → session-run-processor (owns session-run-store, keyed by run) → session-exchanges
 * (repartitioned by session) → session-exchange-processor (owns session-exchange-store and
 * session-progress-store). Each completed step becomes one exchange of its run's session, so the
 * agents of later steps and later runs of the session can be told what came before.
 *
 * <p>Repartitioning by session puts all of a session's exchanges in one store, in order, so the
 * per-session bound holds and a range scan returns the session's history. At-least-once is enough:
 * an exchange already recorded for its run and step is skipped.
 */
public final class SessionTopology {

    public static final String NAME = "sessions";
    public static final String SOURCE = "session-run-events-source";
    public static final String RUN_PROCESSOR = "session-run-processor";
    public static final String RUN_STORE = "session-run-store";
    public static final String REPARTITION = "session-exchanges";
    public static final String EXCHANGE_PROCESSOR = "session-exchange-processor";
    public static final String EXCHANGE_STORE = "session-exchange-store";
    public static final String PROGRESS_STORE = "session-progress-store";
    /** How many exchanges each session holds: the bound is kept without reading the session. */
    public static final String SIZE_STORE = "session-size-store";
    /** Exchanges kept per session by default: the oldest beyond it are deleted. */
    public static final int DEFAULT_MAX_EXCHANGES = 100;

    private SessionTopology() {
    }

    /** @param maxExchanges exchanges kept per session; older ones are deleted as new ones arrive */
    public static Topology build(Topics topics, int maxExchanges) {
        StreamsBuilder builder = new StreamsBuilder();
        define(builder, topics, maxExchanges);
        return builder.build();
    }

    /** Defines this topology on {@code builder} (the one Spring for Apache Kafka builds from). */
    public static void define(StreamsBuilder builder, Topics topics, int maxExchanges) {
        if (maxExchanges < 1) {
            throw new IllegalArgumentException("maxExchanges must be at least 1, was " + maxExchanges);
        }
        // Every store derives from run-events, which is kept forever: none has a changelog, a lost one
        // is rebuilt from the topic (see RebuiltStores)
        builder.addStateStore(RebuiltStores.keyValueStore(RUN_STORE, Serdes.String(), JsonSerde.of(SessionRun.class)));
        builder.addStateStore(RebuiltStores.keyValueStore(EXCHANGE_STORE, Serdes.String(),
                JsonSerde.of(StoredExchange.class)));
        builder.addStateStore(RebuiltStores.keyValueStore(PROGRESS_STORE, Serdes.String(),
                JsonSerde.of(Progress.class)));
        builder.addStateStore(RebuiltStores.keyValueStore(SIZE_STORE, Serdes.String(), Serdes.Integer()));
        Topic<String, EventEnvelope<RunEvent>> runEvents = topics.runEvents();
        builder.stream(runEvents.name(), Consumed.with(runEvents.keySerde(), runEvents.valueSerde()).withName(SOURCE))
                .process(RunProcessor::new, Named.as(RUN_PROCESSOR), RUN_STORE)
                .repartition(Repartitioned.<String, Completed>as(REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(JsonSerde.of(Completed.class)))
                .process(() -> new ExchangeProcessor(maxExchanges), Named.as(EXCHANGE_PROCESSOR),
                        EXCHANGE_STORE, PROGRESS_STORE, SIZE_STORE);
    }

    /**
     * The exchange store's key: session, completion time (fixed width, so a session's keys sort by
     * time), run, step. Session ids hold no {@code |} (the API only accepts letters, digits and
     * {@code . _ : -}), so {@link #from}/{@link #to} bound exactly one session.
     */
    static String exchangeKey(String sessionId, long completedAtMs, String runId, int stepOrder) {
        return String.format("%s|%016d|%s|%05d", sessionId, completedAtMs, runId, stepOrder);
    }

    static String from(String sessionId) {
        return sessionId + "|";
    }

    static String to(String sessionId) {
        return sessionId + "|\uffff";
    }

    /**
     * What the session topology remembers of a run until its steps complete: the steps' snapshot
     * and the current step's input (by reference when it is large), so bounded by the limits.
     */
    record SessionRun(String sessionId, List<StepDefinition> steps, int step, String agentId, Payload input) {

        SessionRun started(RunEvent.StepStarted e) {
            return new SessionRun(sessionId, steps, e.stepOrder(), e.agentId(), e.input());
        }

        StoredExchange completed(RunEvent.StepCompleted e) {
            StepDefinition definition = steps.stream().filter(s -> s.stepOrder() == e.stepOrder()).findFirst()
                    .orElse(null);
            boolean current = step == e.stepOrder();
            String agent = current ? agentId : definition == null ? null : definition.agentId();
            return new StoredExchange(e.runId(), e.stepOrder(), agent,
                    definition == null ? null : definition.action(), current ? input : null, e.output());
        }

        /** A step a fork took over: an exchange of the fork's session, as if its agent had answered. */
        StoredExchange reused(RunEvent.StepReused e) {
            StepDefinition definition = steps.stream().filter(s -> s.stepOrder() == e.stepOrder()).findFirst()
                    .orElse(null);
            return new StoredExchange(e.runId(), e.stepOrder(), definition == null ? null : definition.agentId(),
                    definition == null ? null : definition.action(), null, e.output());
        }
    }

    /**
     * One completed step of a session as stored: its payloads inline or by reference, as the run
     * events carry them, so that no record of the store holds more than the limits allow.
     */
    public record StoredExchange(String runId, int stepOrder, String agentId, String action, Payload input,
                                 Payload output) {
    }

    /** A completed step on its way to its session's store: keyed by session id. */
    record Completed(long completedAtMs, StoredExchange exchange) {
    }

    /** The last step of a run recorded in the session store, and when (a run's exchanges never go back in time). */
    record Progress(int stepOrder, long completedAtMs) {
    }

    /**
     * Follows each run's session, steps and current input; turns each StepCompleted (and a fork's
     * StepReused) into an exchange.
     */
    static final class RunProcessor implements Processor<String, EventEnvelope<RunEvent>, String, Completed> {

        private ProcessorContext<String, Completed> context;
        private KeyValueStore<String, SessionRun> runs;

        @Override
        public void init(ProcessorContext<String, Completed> context) {
            this.context = context;
            this.runs = context.getStateStore(RUN_STORE);
        }

        @Override
        public void process(Record<String, EventEnvelope<RunEvent>> record) {
            EventEnvelope<RunEvent> envelope = record.value();
            if (envelope == null || envelope.data() == null) {
                return;
            }
            RunEvent event = envelope.data();
            if (event instanceof RunEvent.RunStarted e) {
                if (e.sessionId() != null && runs.get(e.runId()) == null) {
                    runs.put(e.runId(), new SessionRun(e.sessionId(), e.steps(), 0, null, null));
                }
                return;
            }
            SessionRun run = runs.get(event.runId());
            if (run == null) {
                return;
            }
            if (event instanceof RunEvent.StepStarted e) {
                runs.put(e.runId(), run.started(e));
            } else if (event instanceof RunEvent.StepCompleted e) {
                context.forward(record.withKey(run.sessionId())
                        .withValue(new Completed(envelope.occurredAt().toEpochMilli(), run.completed(e))));
            } else if (event instanceof RunEvent.StepReused e) {
                // a fork's agents may ask the session for steps that did not travel with their request
                context.forward(record.withKey(run.sessionId())
                        .withValue(new Completed(envelope.occurredAt().toEpochMilli(), run.reused(e))));
            }
        }
    }

    /** Stores each exchange once, in its session's order, and keeps the session within its bound. */
    static final class ExchangeProcessor implements Processor<String, Completed, Void, Void> {

        private final int maxExchanges;
        private KeyValueStore<String, StoredExchange> exchanges;
        private KeyValueStore<String, Progress> progress;
        private KeyValueStore<String, Integer> sizes;

        ExchangeProcessor(int maxExchanges) {
            this.maxExchanges = maxExchanges;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.exchanges = context.getStateStore(EXCHANGE_STORE);
            this.progress = context.getStateStore(PROGRESS_STORE);
            this.sizes = context.getStateStore(SIZE_STORE);
        }

        @Override
        public void process(Record<String, Completed> record) {
            String sessionId = record.key();
            Completed completed = record.value();
            if (sessionId == null || completed == null || completed.exchange() == null) {
                return;
            }
            StoredExchange exchange = completed.exchange();
            Progress last = progress.get(exchange.runId());
            if (last != null && last.stepOrder() >= exchange.stepOrder()) {
                return;
            }
            long at = last == null ? completed.completedAtMs() : Math.max(last.completedAtMs(), completed.completedAtMs());
            exchanges.put(exchangeKey(sessionId, at, exchange.runId(), exchange.stepOrder()), exchange);
            progress.put(exchange.runId(), new Progress(exchange.stepOrder(), at));
            trim(sessionId);
        }

        /** Counts the exchange just stored and deletes the session's oldest ones beyond the bound. */
        private void trim(String sessionId) {
            int size = Objects.requireNonNullElse(sizes.get(sessionId), 0) + 1;
            if (size > maxExchanges) {
                List<String> oldest = new ArrayList<>();
                try (KeyValueIterator<String, StoredExchange> it = exchanges.range(from(sessionId), to(sessionId))) {
                    while (oldest.size() < size - maxExchanges && it.hasNext()) {
                        oldest.add(it.next().key);
                    }
                }
                oldest.forEach(exchanges::delete);
                size -= oldest.size();
            }
            sizes.put(sessionId, size);
        }
    }
}
