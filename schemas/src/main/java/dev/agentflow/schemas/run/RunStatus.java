package dev.agentflow.schemas.run;

/** Where a run is. RUNNING and PAUSED are live; the others are final. */
public enum RunStatus {
    RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
