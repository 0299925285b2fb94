package dev.agentflow.runtime.kafka;

import java.time.Duration;
import java.util.List;
import org.springframework.context.SmartLifecycle;

/**
 * Serves no request before every topology of the process runs: started just after the topologies
 * ({@link StreamsApp#PHASE}) and before the web server, it waits until each has all its tasks
 * assigned and restored.
 */
public final class AwaitTopologies implements SmartLifecycle {

    private final List<StreamsApp> topologies;
    private final Duration timeout;
    private volatile boolean running;

    public AwaitTopologies(List<StreamsApp> topologies, Duration timeout) {
        this.topologies = List.copyOf(topologies);
        this.timeout = timeout;
    }

    @Override
    public void start() {
        topologies.forEach(app -> app.awaitRunning(timeout));
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StreamsApp.PHASE + 1;
    }
}
