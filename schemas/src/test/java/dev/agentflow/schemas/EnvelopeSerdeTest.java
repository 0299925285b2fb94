package dev.agentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EnvelopeSerdeTest {

    private final EnvelopeSerde<WorkflowCommand, CommandEnvelope<WorkflowCommand>> serde =
            EnvelopeSerde.commands(Topics.WORKFLOW_COMMANDS);

    @Test
    void commandRoundTripsWithItsTypeInTheEnvelopeOnly() {
        var create = new WorkflowCommand.CreateWorkflow("wf-1", "n", null, "wf-0",
                List.of(new StepDefinition("step-1", "echo", "say", 1, Map.of("timeoutMs", 5))));
        var envelope = new CommandEnvelope<WorkflowCommand>("job-1", "CreateWorkflow", "wf-1",
                Instant.parse("2026-01-01T00:00:00Z"), create);

        byte[] bytes = serde.serialize("t", envelope);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"type\":\"CreateWorkflow\"")
                .doesNotContain("dev.agentflow");
        assertThat(serde.deserialize("t", bytes)).isEqualTo(envelope);
    }

    @Test
    void unknownTypeIsASerializationError() {
        byte[] bytes = "{\"commandId\":\"j\",\"type\":\"Nope\",\"aggregateId\":\"a\",\"data\":{}}"
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serde.deserialize("t", bytes)).isInstanceOf(SerializationException.class);
    }

    @Test
    void nullStaysNull() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }
}
