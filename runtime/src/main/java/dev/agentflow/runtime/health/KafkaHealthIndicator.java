package dev.agentflow.runtime.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the Kafka cluster answers (the {@code kafka} component of readiness): a
 * {@code describeCluster} that must answer within {@link #TIMEOUT}, so a probe never waits longer
 * than that (Kubernetes' default probe timeout is 1 s). Details (for {@code admin}): the cluster id
 * and how many brokers it has; when it does not answer, what the client said.
 */
public final class KafkaHealthIndicator implements HealthIndicator, AutoCloseable {

    static final Duration TIMEOUT = Duration.ofMillis(800);

    private final Admin admin;

    /** @param client how this process's clients reach the cluster (with their security settings) */
    public KafkaHealthIndicator(Map<String, Object> client) {
        this.admin = Admin.create(client);
    }

    @Override
    public Health health() {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions()
                .timeoutMs((int) TIMEOUT.toMillis()));
        try {
            long deadline = TIMEOUT.toMillis() + 200;
            String id = cluster.clusterId().get(deadline, TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(deadline, TimeUnit.MILLISECONDS).size();
            return Health.up().withDetail("clusterId", id).withDetail("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("error", "interrupted").build();
        } catch (ExecutionException e) {
            return Health.down().withDetail("error", String.valueOf(e.getCause())).build();
        } catch (TimeoutException e) {
            return Health.down().withDetail("error", "no answer within " + TIMEOUT.toMillis() + " ms").build();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
