package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.kafka.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the engine's topics explicitly and idempotently (broker auto-creation stays off). */
public final class TopicAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    public static void ensureTopics(String bootstrapServers, Collection<Topic<?, ?>> topics) {
        ensureTopics(KafkaSettings.client(bootstrapServers, Map.of()), topics);
    }

    /** Creates the missing topics with an admin client configured with {@code client}. */
    public static void ensureTopics(Map<String, Object> client, Collection<Topic<?, ?>> topics) {
        try (Admin admin = Admin.create(client)) {
            ensureTopics(admin, topics, Replication.BROKER_DEFAULT);
        }
    }

    public static void ensureTopics(Admin admin, Collection<Topic<?, ?>> topics) {
        ensureTopics(admin, topics, Replication.BROKER_DEFAULT);
    }

    /** Creates the missing topics with this replication; existing ones are left as they are. */
    public static void ensureTopics(Admin admin, Collection<Topic<?, ?>> topics, Replication replication) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> newTopic(t, replication))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof InvalidReplicationFactorException) {
                        throw new ReplicationException("cannot create topic " + created.getKey() + " with "
                                + replication + " (agentflow.kafka.replication-factor): "
                                + e.getCause().getMessage(), e.getCause());
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + created.getKey(), e.getCause());
                    }
                }
            }
            awaitServed(admin, missing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list or create topics", e);
        }
    }

    /**
     * Waits until the leader of every partition of the topics just created serves it: a created
     * topic's partitions reach their brokers a moment after the controller accepted it, and a reader
     * that asks for their offsets before then is told the topic is unknown.
     */
    private static void awaitServed(Admin admin, List<NewTopic> created) throws InterruptedException,
            TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        created.forEach(t -> {
            for (int p = 0; p < t.numPartitions(); p++) {
                latest.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Topics created but not served by their leaders: "
                            + e.getCause().getMessage(), e.getCause());
                }
                Thread.sleep(50);
            }
        }
    }

    private static NewTopic newTopic(Topic<?, ?> topic, Replication replication) {
        Map<String, String> configs = new HashMap<>(topic.configs());
        if (replication.minInSyncReplicas() != null) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replication.minInSyncReplicas().toString());
        }
        Optional<Short> factor = replication.factor() < 0 ? Optional.empty()
                : Optional.of((short) replication.factor());
        return new NewTopic(topic.name(), Optional.of(topic.partitions()), factor).configs(configs);
    }

    /**
     * Compares the existing topics whose names start with one of {@code prefixes} (the engine's topics
     * and its Kafka Streams internal topics) with {@code replication}, and logs a warning for each
     * difference. Nothing is changed: raising a topic's replication moves data between brokers, an
     * operator's decision ({@code kafka-reassign-partitions.sh}, {@code kafka-configs.sh}).
     *
     * @return the differences, one line each
     */
    public static List<String> checkReplication(Admin admin, Collection<String> prefixes, Replication replication) {
        try {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(n -> prefixes.stream().anyMatch(n::startsWith))
                    .collect(Collectors.toSet());
            if (names.isEmpty()) {
                return List.of();
            }
            Map<Integer, List<String>> byFactor = new TreeMap<>();
            if (replication.factor() > 0) {
                for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS)
                        .values()) {
                    int copies = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                    if (copies != replication.factor()) {
                        byFactor.computeIfAbsent(copies, c -> new ArrayList<>()).add(d.name());
                    }
                }
            }
            Map<String, List<String>> byMinIsr = new TreeMap<>();
            if (replication.minInSyncReplicas() != null) {
                List<ConfigResource> resources = names.stream()
                        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
                for (Map.Entry<ConfigResource, Config> e : admin.describeConfigs(resources).all()
                        .get(30, TimeUnit.SECONDS).entrySet()) {
                    ConfigEntry entry = e.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                    String value = entry == null ? "?" : entry.value();
                    if (!replication.minInSyncReplicas().toString().equals(value)) {
                        byMinIsr.computeIfAbsent(value, v -> new ArrayList<>()).add(e.getKey().name());
                    }
                }
            }
            List<String> differences = new ArrayList<>();
            byFactor.forEach((copies, topics) -> differences.add(sorted(topics) + " have replication factor "
                    + copies + ", not the " + replication.factor() + " of agentflow.kafka.replication-factor: left "
                    + "as they are (kafka-reassign-partitions.sh changes it)"));
            byMinIsr.forEach((value, topics) -> differences.add(sorted(topics) + " have min.insync.replicas "
                    + value + ", not the " + replication.minInSyncReplicas() + " of agentflow.kafka.min-insync-replicas:"
                    + " left as they are (kafka-configs.sh --alter --entity-type topics --add-config "
                    + "min.insync.replicas=" + replication.minInSyncReplicas() + " changes it)"));
            differences.forEach(d -> LOG.warn("Topics {}", d));
            return differences;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking topics", e);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Could not check the replication of the existing topics: {}", e.toString());
            return List.of();
        }
    }

    private static String sorted(List<String> topics) {
        return topics.stream().sorted().collect(Collectors.joining(", "));
    }
}
