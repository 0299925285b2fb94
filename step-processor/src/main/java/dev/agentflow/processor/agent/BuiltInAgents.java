package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The agents that need no network: echo, template, delay and human_approval. */
public final class BuiltInAgents {

    public static final long DEFAULT_DELAY_MS = 1000;

    private BuiltInAgents() {
    }

    public static List<Agent> all(ScheduledExecutorService scheduler) {
        return List.of(
                simple("echo", request -> AgentOutcome.output(request.input())),
                simple("template", request -> AgentOutcome.output(
                        request.action().replace("{{input}}", request.input() == null ? "" : request.input()))),
                delay(scheduler),
                simple("human_approval", request -> AgentOutcome.approval(new ApprovalRequest(request.input(),
                        request.action(), null, null))));
    }

    private static Agent simple(String id, Function<AgentRequest, AgentOutcome> body) {
        return new Agent() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
                return CompletableFuture.completedFuture(body.apply(request));
            }
        };
    }

    /** Completes from a scheduler after the delay: no thread waits. */
    private static Agent delay(ScheduledExecutorService scheduler) {
        return new Agent() {
            @Override
            public String id() {
                return "delay";
            }

            @Override
            public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
                Object configured = request.config().get("delayMs");
                long delayMs = configured instanceof Number n ? Math.max(0, n.longValue()) : DEFAULT_DELAY_MS;
                CompletableFuture<AgentOutcome> result = new CompletableFuture<>();
                scheduler.schedule(() -> result.complete(AgentOutcome.output(request.input())), delayMs,
                        TimeUnit.MILLISECONDS);
                return result;
            }
        };
    }
}
