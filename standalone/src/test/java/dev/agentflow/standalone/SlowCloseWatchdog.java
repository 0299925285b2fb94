package dev.agentflow.standalone;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * In the tests' JVM: a system whose close is still going after {@link #PATIENCE} logs the stack of
 * every thread, once, so that a build that was slow for it says what it waited for.
 */
public final class SlowCloseWatchdog implements ApplicationListener<ContextClosedEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(SlowCloseWatchdog.class);
    static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "slow-close-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (!(event.getApplicationContext() instanceof ConfigurableApplicationContext context)) {
            return;
        }
        TIMER.schedule(() -> {
            if (context.isActive()) {
                StringBuilder dump = new StringBuilder();
                for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
                    dump.append('\n').append('"').append(thread.getKey().getName()).append("\" ")
                            .append(thread.getKey().getState());
                    for (StackTraceElement frame : thread.getValue()) {
                        dump.append("\n    at ").append(frame);
                    }
                }
                LOG.warn("{} still closing after {}; its threads:{}", context.getId(), PATIENCE, dump);
            }
        }, PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
