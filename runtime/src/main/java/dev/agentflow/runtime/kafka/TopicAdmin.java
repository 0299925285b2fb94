package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.kafka.Topic;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the engine's topics explicitly and idempotently (broker auto-creation stays off). */
public final class TopicAdmin {

    private TopicAdmin() {
    }

    public static void ensureTopics(String bootstrapServers, Collection<Topic<?, ?>> topics) {
        ensureTopics(KafkaSettings.client(bootstrapServers, Map.of()), topics);
    }

    /** Creates the missing topics with an admin client configured with {@code client}. */
    public static void ensureTopics(Map<String, Object> client, Collection<Topic<?, ?>> topics) {
        try (Admin admin = Admin.create(client)) {
            ensureTopics(admin, topics);
        }
    }

    public static void ensureTopics(Admin admin, Collection<Topic<?, ?>> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), java.util.Optional.of(t.partitions()), java.util.Optional.empty())
                            .configs(t.configs()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> created :
                    admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + created.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list or create topics", e);
        }
    }
}
