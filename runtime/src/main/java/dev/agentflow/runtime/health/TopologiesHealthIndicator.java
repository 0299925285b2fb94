package dev.agentflow.runtime.health;

import dev.agentflow.runtime.kafka.StreamsApp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Kafka Streams topologies of this process (the {@code topologies} component of readiness): UP
 * once every one is RUNNING, and while one rebalances after it ran (its queries wait a rebalance
 * out); DOWN before the first start is through, while one is in ERROR, and once they stop. Details
 * (for {@code admin}) give each topology's state, and whether its views are still being rebuilt.
 */
public final class TopologiesHealthIndicator implements HealthIndicator {

    private final List<StreamsApp> apps;

    public TopologiesHealthIndicator(List<StreamsApp> apps) {
        this.apps = List.copyOf(apps);
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean ready = true;
        for (StreamsApp app : apps) {
            ready &= app.ready();
            details.put(app.name(), app.rebuilt() ? app.state().name() : app.state().name() + " (rebuilding its views)");
        }
        return (ready ? Health.up() : Health.down()).withDetails(details).build();
    }
}
