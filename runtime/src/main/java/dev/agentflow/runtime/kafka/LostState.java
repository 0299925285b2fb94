package dev.agentflow.runtime.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * What a topology whose stores have no changelog ({@link RebuiltStores}) does before it starts when
 * its local state is not there: it reads its input topics again from the beginning, as Kafka's
 * application reset tool would make it. A marker file in the application's state directory,
 * written once that is arranged, says the state is kept; it goes with the directory.
 */
final class LostState {

    static final String MARKER = "agentflow-state-kept";
    /** The line of the marker that names the stores' format. */
    static final String FORMAT = "format: ";
    private static final Logger LOG = LoggerFactory.getLogger(LostState.class);
    private static final long WAIT_SECONDS = 30;

    private LostState() {
    }

    /** Whether the marker is there, and names {@code format} when there is one. */
    private static boolean kept(Path marker, String format) {
        if (!Files.exists(marker)) {
            return false;
        }
        try {
            return format == null || Files.readAllLines(marker).contains(FORMAT + format);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param appDir             the application's directory under the state directory
     * @param group              the application id (its consumer group, the prefix of its internal topics)
     * @param configuredInstance this instance's configured static member id (members of earlier processes
     *                           of this instance start with it)
     * @param format             the format of the stores, or null: a state kept in another format is lost
     */
    static Map<TopicPartition, Long> rebuildIfLost(String name, Path appDir, String group, String configuredInstance,
                                                   Map<String, Object> client, Set<String> inputTopics,
                                                   String format) {
        Path marker = appDir.resolve(MARKER);
        if (kept(marker, format)) {
            return Map.of();
        }
        LOG.warn("{}: no local state kept under {} (a first start, an upgrade from stores with changelogs or in"
                + " another format, or a lost state directory): its stores are rebuilt from its input topics,"
                + " read again from the beginning",
                name, appDir);
        try {
            FileSystemUtils.deleteRecursively(appDir);
            Map<TopicPartition, Long> target;
            try (Admin admin = Admin.create(client)) {
                StaticMembers.removeOwn(admin, group, configuredInstance + "-");
                Set<String> existing = admin.listTopics().names().get(WAIT_SECONDS, TimeUnit.SECONDS);
                resetToEarliest(admin, group, existing);
                deleteChangelogs(admin, group, existing);
                // the input is written in transactions or not: its end may lie one commit marker further
                target = ends(admin, inputTopics, 1);
            }
            Files.createDirectories(appDir);
            Files.writeString(marker, "The stores of " + group + " are kept here since " + Instant.now()
                    + ".\nDelete this directory to rebuild them from the input topics at the next start.\n"
                    + (format == null ? "" : FORMAT + format + "\n"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot prepare its state directory " + appDir, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + ": cannot arrange to rebuild its lost state: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": cannot arrange to rebuild its lost state: the cluster did not"
                    + " answer within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while arranging to rebuild its lost state", e);
        }
    }

    /** Sets every committed offset of the group (on topics that still exist) to its partition's earliest. */
    private static void resetToEarliest(Admin admin, String group, Set<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(WAIT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, offset) -> {
                    if (offset != null && topics.contains(partition.topic())) {
                        partitions.put(partition, OffsetSpec.earliest());
                    }
                });
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, ListOffsetsResultInfo> earliest = admin.listOffsets(partitions).all()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> reset = new HashMap<>();
        earliest.forEach((partition, info) -> reset.put(partition, new OffsetAndMetadata(info.offset())));
        admin.alterConsumerGroupOffsets(group, reset).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
        LOG.info("{}: {} committed offset(s) set to the earliest", group, reset.size());
    }

    /**
     * Where the topics' partitions end now (as a read_committed reader sees them), less
     * {@code less} (1 for topics whose end may be a commit marker after the last record), for the
     * partitions that hold anything: the committed offsets that say what was there has been read.
     */
    static Map<TopicPartition, Long> ends(Admin admin, Set<String> topics, int less)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(WAIT_SECONDS, TimeUnit.SECONDS);
        List<String> present = topics.stream().filter(existing::contains).toList();
        if (present.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin.describeTopics(present).allTopicNames().get(WAIT_SECONDS, TimeUnit.SECONDS).forEach((topic, d) ->
                d.partitions().forEach(p -> partitions.put(new TopicPartition(topic, p.partition()),
                        OffsetSpec.latest())));
        Map<TopicPartition, Long> target = new HashMap<>();
        admin.listOffsets(partitions, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(WAIT_SECONDS, TimeUnit.SECONDS).forEach((partition, info) -> {
            if (info.offset() > 0) {
                target.put(partition, info.offset() - less);
            }
        });
        return Map.copyOf(target);
    }

    /** The changelog topics an earlier version's stores left: nothing restores from them any more. */
    private static void deleteChangelogs(Admin admin, String group, Set<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> changelogs = topics.stream()
                .filter(t -> t.startsWith(group + "-") && t.endsWith("-changelog")).collect(Collectors.toSet());
        if (!changelogs.isEmpty()) {
            admin.deleteTopics(changelogs).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
            LOG.info("{}: deleted the changelog topics {}", group, changelogs);
        }
    }
}
