package dev.agentflow.processor.agent;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the configured agent types share: the definition, its HTTP calls, its concurrency limit, and
 * the order of an invocation. The session's history is read first, then the conversation with the
 * endpoint runs inside a concurrency slot (a call waiting for its history holds none), and every
 * failure becomes the step's error.
 */
abstract class ConfiguredAgent implements Agent {

    final AgentDefinition definition;
    final AgentHttp http;
    private final String id;
    private final SessionHistory history;
    private final ConcurrencyLimit limit;
    final Deltas deltas;

    ConfiguredAgent(String id, AgentDefinition definition, HttpClient client, SessionHistory history,
                    RateLimit rate, Deltas deltas) {
        this.deltas = deltas;
        this.id = id;
        this.definition = definition;
        this.http = new AgentHttp(client, id, definition, rate);
        this.history = history;
        this.limit = new ConcurrencyLimit(definition.maxConcurrency());
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
        Deltas.Stream stream = deltas.open(request);
        return history.before(request, definition.historyLimit())
                .thenCompose(exchanges -> limit.run(() -> converse(request, exchanges, stream)))
                .exceptionally(http::outcome)
                // the attempt's last delta is written before its result, so a watcher has them all first
                .thenCompose(outcome -> stream.end().thenApply(written -> outcome));
    }

    /**
     * The exchange with the agent's endpoint for one step; failures may complete it exceptionally.
     * What the endpoint streams goes to {@code stream} as it comes.
     */
    abstract CompletableFuture<AgentOutcome> converse(AgentRequest request, List<Exchange> exchanges,
                                                      Deltas.Stream stream);
}
