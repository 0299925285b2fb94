package dev.agentflow.runtime.kafka;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many copies the cluster keeps of each of the engine's topics, its Kafka Streams internal
 * topics included, and how many must have a write before it counts.
 *
 * @param factor            the replication factor of topics created; -1 leaves it to the broker's
 *                          {@code default.replication.factor}
 * @param minInSyncReplicas the topics' {@code min.insync.replicas}; null leaves it to the broker's
 */
public record Replication(int factor, Integer minInSyncReplicas) {

    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);

    /** What a broker's defaults give: for tools and tests that create topics on a single broker. */
    public static final Replication BROKER_DEFAULT = new Replication(-1, null);

    /** The replication factor on an external cluster unless set: three copies survive one broker's loss. */
    public static final int DEFAULT_FACTOR = 3;

    /** The {@code min.insync.replicas} on an external cluster unless set: writes go on with one broker down. */
    public static final int DEFAULT_MIN_IN_SYNC = 2;

    public Replication {
        if (factor == 0 || factor < -1) {
            throw new ReplicationException("agentflow.kafka.replication-factor must be at least 1, not " + factor);
        }
        if (minInSyncReplicas != null && minInSyncReplicas < 1) {
            throw new ReplicationException(
                    "agentflow.kafka.min-insync-replicas must be at least 1, not " + minInSyncReplicas);
        }
        if (minInSyncReplicas != null && factor > 0 && minInSyncReplicas > factor) {
            throw new ReplicationException("agentflow.kafka.min-insync-replicas (" + minInSyncReplicas
                    + ") must not exceed agentflow.kafka.replication-factor (" + factor
                    + "): every write would be refused");
        }
    }

    /**
     * The replication of a cluster of {@code brokers} brokers (those registered, fenced ones too).
     * What is set is taken as it is (a factor above the brokers fails when a topic is created, naming
     * the property). Unset: 1 and 1 on the embedded broker; on an external cluster 3 and 2, or as
     * many copies as it has brokers when it has fewer, with a warning.
     */
    public static Replication resolve(Integer factor, Integer minInSyncReplicas, boolean embedded, int brokers) {
        if (embedded) {
            return new Replication(factor == null ? 1 : factor, minInSyncReplicas == null ? 1 : minInSyncReplicas);
        }
        int f = factor == null ? Math.max(1, Math.min(DEFAULT_FACTOR, brokers)) : factor;
        if (factor == null) {
            if (f < DEFAULT_FACTOR) {
                LOG.warn("The cluster has {} broker(s): the engine's topics get {} cop{} instead of {}, so losing a "
                        + "broker can lose runs. Set agentflow.kafka.replication-factor to say so and silence this.",
                        brokers, f, f == 1 ? "y" : "ies", DEFAULT_FACTOR);
            }
        }
        int m = minInSyncReplicas == null ? Math.max(1, Math.min(DEFAULT_MIN_IN_SYNC, f - 1)) : minInSyncReplicas;
        return new Replication(f, m);
    }

    /** The brokers registered with the cluster, fenced (stopped) ones too. */
    public static int brokers(Admin admin) {
        try {
            return admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes()
                    .get(30, TimeUnit.SECONDS).size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing the cluster", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot describe the Kafka cluster", e);
        }
    }

    @Override
    public String toString() {
        return "replication factor " + (factor < 0 ? "(broker default)" : factor) + ", min.insync.replicas "
                + (minInSyncReplicas == null ? "(broker default)" : minInSyncReplicas);
    }
}
