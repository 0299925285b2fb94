package dev.agentflow.runtime.kafka;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says, when the replication settings stop the start, what is wrong and what to set, without a stack trace. */
public final class ReplicationFailureAnalyzer extends AbstractFailureAnalyzer<ReplicationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ReplicationException cause) {
        return new FailureAnalysis("agentflow cannot start: " + cause.getMessage(),
                """
                Set agentflow.kafka.replication-factor to at most the number of brokers of the cluster, and
                agentflow.kafka.min-insync-replicas to at most the replication factor (or leave both unset: 1 and 1
                on the embedded broker, 3 and 2 on a cluster, fewer on a smaller one). See docs/operations.md#replication.""",
                cause);
    }
}
