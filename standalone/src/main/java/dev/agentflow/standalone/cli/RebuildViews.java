package dev.agentflow.standalone.cli;

import dev.agentflow.projection.topology.AppliedListener;
import dev.agentflow.projection.topology.HistoryListener;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StaticMembers;
import dev.agentflow.runtime.kafka.StreamsApp;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code rebuild-views}: makes this instance's projection rebuild every view (and every event
 * history) from the event topics at its next start, as Kafka's application reset tool would: its
 * local state is wiped, its consumer group (and so its committed offsets) deleted, and its changelog
 * topics deleted, so nothing is restored and every event is read again from the beginning. Run it
 * while the service is stopped; it starts none of the services, only (in the standalone setup) the
 * embedded broker, and reads the same configuration as the service ({@code --agentflow.data-dir=…},
 * environment variables).
 */
public final class RebuildViews {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private RebuildViews() {
    }

    /**
     * The subcommand as the launcher runs it, with the service's Spring options; returns the exit code.
     *
     * @param application the launcher's Spring Boot application class, whose configuration it reads
     */
    public static int run(Class<?> application, String[] args) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .properties("agentflow.services=none")
                .run(args)) {
            rebuild(context.getBean(KafkaSettings.class), System.out);
            return 0;
        } catch (RuntimeException e) {
            System.err.println("rebuild-views: " + e.getMessage());
            System.err.println("Stop the service first: it must not run while its views are dropped.");
            return 1;
        }
    }

    static void rebuild(KafkaSettings kafka, PrintStream out) {
        String name = ProjectionTopology.appName(kafka.instanceId());
        String applicationId = kafka.topics().applicationId(name);
        // Refuses (ProcessorStateException) if a projection in this state directory is running
        try (KafkaStreams streams = new KafkaStreams(ProjectionTopology.build(kafka.topics(), AppliedListener.NONE,
                AppliedListener.NONE, HistoryListener.NONE), StreamsApp.properties(name, kafka,
                StreamsApp.Guarantee.AT_LEAST_ONCE))) {
            streams.cleanUp();
        }
        out.println("Deleted the local state of " + applicationId + " under " + kafka.stateDir().resolve(name));
        try (Admin admin = Admin.create(kafka.client())) {
            deleteGroup(admin, applicationId, staticMemberOf(name, kafka), out);
            deleteInternalTopics(admin, applicationId, out);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("The cluster did not answer in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
        out.println("Done: at its next start the projection rebuilds every view from the event topics.");
    }

    /** The prefix of this instance's static member ids: Kafka Streams appends each thread's number. */
    private static String staticMemberOf(String name, KafkaSettings kafka) {
        return StreamsApp.properties(name, kafka, StreamsApp.Guarantee.AT_LEAST_ONCE)
                .getProperty(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) + "-";
    }

    /**
     * A stopped instance stays a static member of its group until its session times out; that
     * member, and only that one, is removed first. Any other member is a running projection: the
     * group is then left alone. Without the group's committed offsets the projection reads from the
     * beginning.
     */
    private static void deleteGroup(Admin admin, String groupId, String ownMember, PrintStream out)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (StaticMembers.removeOwn(admin, groupId, ownMember) > 0) {
            out.println("Removed this instance's stale static member(s) from consumer group " + groupId);
        }
        try {
            admin.deleteConsumerGroups(List.of(groupId)).all().get();
            out.println("Deleted consumer group " + groupId + " and its committed offsets");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                out.println("Consumer group " + groupId + " has no committed offsets");
            } else if (e.getCause() instanceof GroupNotEmptyException) {
                throw new IllegalStateException("Consumer group " + groupId + " has active members: is the service "
                        + "still running?", e.getCause());
            } else {
                throw e;
            }
        }
    }

    private static void deleteInternalTopics(Admin admin, String applicationId, PrintStream out)
            throws ExecutionException, InterruptedException {
        Set<String> internal = internalTopics(admin, applicationId);
        if (internal.isEmpty()) {
            out.println("No changelog topics of " + applicationId);
            return;
        }
        admin.deleteTopics(internal).all().get();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!internalTopics(admin, applicationId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The changelog topics of " + applicationId + " are still there after "
                        + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        internal.stream().sorted().forEach(topic -> out.println("Deleted topic " + topic));
    }

    private static Set<String> internalTopics(Admin admin, String applicationId)
            throws ExecutionException, InterruptedException {
        return admin.listTopics().names().get().stream()
                .filter(t -> t.startsWith(applicationId + "-")
                        && (t.endsWith("-changelog") || t.endsWith("-repartition")))
                .collect(Collectors.toSet());
    }
}
