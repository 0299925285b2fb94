package dev.agentflow.runtime.kafka;

/** Replication settings the cluster cannot honour, or that would refuse every write: start-up stops. */
public final class ReplicationException extends IllegalStateException {

    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
