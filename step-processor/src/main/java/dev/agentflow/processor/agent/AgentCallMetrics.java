package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The agent worker's metrics: each call by agent and outcome (a histogram of how long it took from
 * its start to its result being written), the calls in flight by agent, and the requests waiting on
 * this worker's partitions of agent-requests. Labels are bounded: agent ids come from the catalog,
 * outcomes are {@link #OUTCOMES}.
 */
public final class AgentCallMetrics {

    /** Counts nothing: for workers built without a registry. */
    public static final AgentCallMetrics NONE = new AgentCallMetrics(new CompositeMeterRegistry());

    /**
     * What a call ended in: an output, an approval asked for, an error the step retries, an error it
     * does not, or a result that could not be written (the step's timeout retries it).
     */
    static final String[] OUTCOMES = {"output", "approval", "retryable_error", "error", "not_recorded"};

    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5)};

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public AgentCallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A call of {@code request}'s agent started: it is in flight until {@link #ended}. */
    void started(AgentRequest request) {
        inFlight(request.agentId()).incrementAndGet();
    }

    /** The call ended in {@code outcome} (null: its result could not be written) after {@code nanos}. */
    void ended(AgentRequest request, AgentOutcome outcome, long nanos) {
        inFlight(request.agentId()).decrementAndGet();
        Timer.builder("agentflow.agent.calls").description("Agent calls, by agent and outcome, and how long they took")
                .tags("agent", request.agentId(), "outcome", outcome(outcome))
                .serviceLevelObjectives(BUCKETS).register(registry).record(Duration.ofNanos(nanos));
    }

    /** The requests on this worker's partitions that it has not read yet, as the worker last saw them. */
    void queued(Supplier<Number> waiting) {
        Gauge.builder("agentflow.agent.requests.waiting", waiting)
                .description("Agent requests on this worker's partitions not read yet (its consumer's lag)")
                .register(registry);
    }

    static String outcome(AgentOutcome outcome) {
        if (outcome == null) {
            return OUTCOMES[4];
        }
        if (outcome.error() != null) {
            return outcome.error().retryable() ? OUTCOMES[2] : OUTCOMES[3];
        }
        return outcome.approval() != null ? OUTCOMES[1] : OUTCOMES[0];
    }

    private AtomicInteger inFlight(String agent) {
        return inFlight.computeIfAbsent(agent, id -> {
            AtomicInteger calls = new AtomicInteger();
            Gauge.builder("agentflow.agent.calls.in.flight", calls, AtomicInteger::get)
                    .description("Agent calls started and not ended yet, by agent").tag("agent", id)
                    .register(registry);
            return calls;
        });
    }
}
