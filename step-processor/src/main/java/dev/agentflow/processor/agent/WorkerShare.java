package dev.agentflow.processor.agent;

/**
 * This instance's share of the agent calls: the agent-requests partitions its worker owns over all of
 * them (1 until it knows). Agents' rate limits are divided by it, so that the instances of the
 * step-processor together keep to each limit.
 */
public final class WorkerShare {

    private volatile int owned = 1;
    private volatile int total = 1;

    /** The worker's partitions changed. */
    void owns(int ownedPartitions, int totalPartitions) {
        this.total = Math.max(1, totalPartitions);
        this.owned = Math.max(0, ownedPartitions);
    }

    /** 0..1. */
    public double share() {
        return Math.min(1.0, (double) owned / total);
    }
}
