package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AgentRegistryTest {

    private static final AgentRequest REQUEST = new AgentRequest("wr-1", "wf-1", 1, 1, "boom", "a",
            Payload.inline("in"), null, Map.of(), "wr-1:1:1");

    private static Agent throwing(Throwable error, boolean async) {
        return new Agent() {
            @Override
            public String id() {
                return "boom";
            }

            @Override
            public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
                if (async) {
                    return CompletableFuture.failedFuture(error);
                }
                if (error instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) error;
            }
        };
    }

    @Test
    void anAgentThatThrowsAnErrorFailsItsAttemptInsteadOfEscaping() {
        for (Throwable error : List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(),
                new IllegalStateException("bug"))) {
            for (boolean async : List.of(false, true)) {
                AgentOutcome outcome = new AgentRegistry(List.of(throwing(error, async))).invoke(REQUEST).join();

                assertThat(outcome.error()).as(error + (async ? " async" : "")).isNotNull();
                assertThat(outcome.error().retryable()).isTrue();
                assertThat(outcome.error().message()).startsWith("agent boom failed: " + error.getClass().getSimpleName());
            }
        }
    }
}
