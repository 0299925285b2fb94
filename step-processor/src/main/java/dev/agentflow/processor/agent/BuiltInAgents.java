package dev.agentflow.processor.agent;

import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Utf8;
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

    public static final String INPUT_PLACEHOLDER = "{{input}}";

    /** @param limits the template agent builds no output over {@code agentflow.limits.max-payload-bytes} */
    public static List<Agent> all(ScheduledExecutorService scheduler, Limits limits) {
        return List.of(
                simple("echo", request -> AgentOutcome.output(request.input())),
                simple("template", request -> template(request, limits)),
                delay(scheduler),
                simple("human_approval", request -> AgentOutcome.approval(new ApprovalRequest(request.input(),
                        request.action() == null || request.action().isBlank() ? null : request.action(), null,
                        null))));
    }

    /**
     * The action with every {@value #INPUT_PLACEHOLDER} replaced by the input; its size is worked out
     * before the text is built, so that no action, however many placeholders it holds, can exhaust
     * memory: over the limit the step fails at once. A step without an action passes its input on, as
     * the template {@value #INPUT_PLACEHOLDER} would.
     */
    static AgentOutcome template(AgentRequest request, Limits limits) {
        String action = request.action() == null || request.action().isBlank() ? INPUT_PLACEHOLDER
                : request.action();
        String input = request.inputText();
        long placeholders = 0;
        for (int at = action.indexOf(INPUT_PLACEHOLDER); at >= 0;
             at = action.indexOf(INPUT_PLACEHOLDER, at + INPUT_PLACEHOLDER.length())) {
            placeholders++;
        }
        long bytes = Utf8.length(action) + placeholders * (Utf8.length(input) - INPUT_PLACEHOLDER.length());
        if (bytes > limits.maxPayloadBytes()) {
            return AgentOutcome.error(limits.tooLarge("output of step " + request.stepOrder() + " (agent "
                    + request.agentId() + ")", bytes), false);
        }
        return AgentOutcome.output(action.replace(INPUT_PLACEHOLDER, input));
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
