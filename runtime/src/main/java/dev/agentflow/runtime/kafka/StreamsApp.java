package dev.agentflow.runtime.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.core.CleanupConfig;
import org.springframework.kafka.streams.KafkaStreamsInteractiveQueryService;
import org.springframework.kafka.streams.KafkaStreamsMicrometerListener;

/**
 * One of agentflow's Kafka Streams topologies, run by Spring for Apache Kafka's
 * {@link StreamsBuilderFactoryBean} (it creates, starts, stops and cleans up the
 * {@code KafkaStreams}, with our state listener and uncaught-exception handler, and builds the
 * topology through a {@link KafkaStreamsInfrastructureCustomizer}), and queried through its
 * {@link KafkaStreamsInteractiveQueryService} (which waits out a rebalance with a
 * {@link RetryTemplate}). A Spring bean: the context starts it in phase {@link #PHASE}, before the
 * web server takes requests, and stops it after the web server has stopped taking them.
 */
public final class StreamsApp implements SmartLifecycle, InitializingBean, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    public enum Guarantee { EXACTLY_ONCE, AT_LEAST_ONCE }

    /**
     * The lifecycle phase of every topology: below the web server's (Spring Boot starts it at
     * {@code DEFAULT_PHASE - 2048}), so the topologies start before it takes requests and stop after it
     * has stopped taking them.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    /** How long a query waits by default for a store that a rebalance has taken away. */
    public static final Duration STORE_WAIT = Duration.ofSeconds(10);
    /** Waits out a rebalance: a store that is not queryable is asked for every 10 ms, up to {@link #STORE_WAIT}. */
    private static final RetryTemplate STORE_RETRY = new RetryTemplate(RetryPolicy.builder()
            .includes(InvalidStateStoreException.class).delay(Duration.ofMillis(10))
            .maxRetries(STORE_WAIT.toMillis() / 10).timeout(STORE_WAIT).build());
    private static final RetryTemplate NO_RETRY = new RetryTemplate(RetryPolicy.builder().maxRetries(0).build());

    private final String name;
    private final Map<String, Object> config;
    /** How this app's own admin client reaches the cluster. */
    private final Map<String, Object> client;
    private final StreamsBuilderFactoryBean factory;
    /**
     * The static member id: the configured one (application id and instance id) and a fingerprint
     * of the topology. A static member that rejoins is handed its old assignment without a
     * rebalance, and only a rebalance creates the changelog topics of stores a new version added:
     * with the same id, an upgraded topology would wait for them forever.
     */
    private String memberId;
    /** The query services of the running {@code KafkaStreams} (they keep the instance they first see). */
    private volatile KafkaStreamsInteractiveQueryService queries;
    private volatile KafkaStreamsInteractiveQueryService immediateQueries;
    /** Whether its stores have no changelog and are rebuilt from its input topics when its local state is lost. */
    private boolean rebuildsLostState;
    private String storesFormat;
    /**
     * While it rebuilds lost state: the committed offsets that say so. First where each partition of
     * its input topics ended when the loss was found (less a commit marker); once reached, where its
     * own repartition topics ended then (all it repartitioned of that input). Empty once reached, or
     * when nothing was lost.
     */
    private volatile Map<TopicPartition, Long> rebuildTarget = Map.of();
    /** Whether {@link #rebuildTarget} is the repartition topics' (the second and last). */
    private volatile boolean rebuildingRepartitioned;
    /** Whether it has been RUNNING since this process started it: a later rebalance keeps it ready. */
    private volatile boolean hasRun;
    private volatile long rebuildCheckedAt = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
    /** The admin client that asks for the committed offsets while it rebuilds; closed once rebuilt. */
    private Admin rebuildAdmin;

    /**
     * @param topology adds the topology's nodes and stores: to the {@code Topology} (processor API)
     *                 or the {@code StreamsBuilder} (DSL) the factory builds
     */
    public StreamsApp(String name, KafkaStreamsInfrastructureCustomizer topology, KafkaSettings settings,
                      Guarantee guarantee) {
        this.name = name;
        this.client = settings.client();
        this.config = new HashMap<>();
        properties(name, settings, guarantee).forEach((key, value) -> config.put((String) key, value));
        this.factory = new StreamsBuilderFactoryBean(new KafkaStreamsConfiguration(config),
                new CleanupConfig(false, false));
        factory.setBeanName(name);
        factory.setInfrastructureCustomizer(topology);
        factory.setStreamsUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread of {} died; replacing it", name, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        factory.setStateListener((now, before) -> {
            LOG.info("{}: {} -> {}", name, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                hasRun = true;
            }
        });
        factory.setCloseTimeout(30);
        factory.setPhase(PHASE);
    }

    /**
     * Declares that this topology's stores have no changelog ({@link RebuiltStores}): each is kept
     * in RocksDB with its write-ahead log, and when this instance finds no local state of the
     * application (its first start, an upgrade from a version whose stores had changelogs, a lost
     * or deleted state directory) it reads its input topics again from the beginning: before it
     * starts, its group's committed offsets are set to the earliest offsets and its leftover
     * changelog topics deleted. A file in the application's state directory says the state is kept.
     * At-least-once only: under exactly-once Kafka Streams wipes a task's stores after an unclean
     * close and restores them from their changelogs, which these stores do not have.
     */
    public StreamsApp rebuildingLostState() {
        return rebuildingLostState(null);
    }

    /**
     * As {@link #rebuildingLostState()}, and the marker names the format of the stores: a state kept
     * in another format (or in none, from before formats) is rebuilt too. A topology that adds a store
     * its input topics fill, or changes what its stores hold, names a new format, so an upgrade
     * rebuilds its stores from the topics once.
     */
    public StreamsApp rebuildingLostState(String storesFormat) {
        this.storesFormat = storesFormat;
        if (!StreamsConfig.AT_LEAST_ONCE.equals(config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            throw new IllegalStateException(name + ": only an at-least-once topology can rebuild its stores from its"
                    + " input topics");
        }
        this.rebuildsLostState = true;
        return this;
    }

    /**
     * Exports the metrics of its {@code KafkaStreams} (its threads, tasks and stores, and its clients':
     * consumer lag among them) to {@code registry}, tagged {@code spring.id} with its name. Called
     * before the context starts it.
     */
    public StreamsApp meterRegistry(MeterRegistry registry) {
        factory.addListener(new KafkaStreamsMicrometerListener(registry));
        return this;
    }

    /** Query services for the {@code KafkaStreams} just started: one that waits out a rebalance, one that does not. */
    private void newQueryServices() {
        KafkaStreamsInteractiveQueryService waiting = new KafkaStreamsInteractiveQueryService(factory);
        waiting.setRetryTemplate(STORE_RETRY);
        KafkaStreamsInteractiveQueryService immediate = new KafkaStreamsInteractiveQueryService(factory);
        immediate.setRetryTemplate(NO_RETRY);
        queries = waiting;
        immediateQueries = immediate;
    }

    /** A processor-API topology: {@code nodes} adds its sources, processors, stores and sinks. */
    public static KafkaStreamsInfrastructureCustomizer topology(Consumer<Topology> nodes) {
        return new KafkaStreamsInfrastructureCustomizer() {
            @Override
            public void configureTopology(Topology topology) {
                nodes.accept(topology);
            }
        };
    }

    /** A DSL topology: {@code definition} defines it on the builder. */
    public static KafkaStreamsInfrastructureCustomizer dsl(Consumer<StreamsBuilder> definition) {
        return new KafkaStreamsInfrastructureCustomizer() {
            @Override
            public void configureBuilder(StreamsBuilder builder) {
                definition.accept(builder);
            }
        };
    }

    public static Properties properties(String name, KafkaSettings settings, Guarantee guarantee) {
        Properties p = new Properties();
        p.putAll(settings.client());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.topics().applicationId(name));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                guarantee == Guarantee.EXACTLY_ONCE ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(settings.commitIntervalMs()));
        // The stream thread commits and punctuates only between polls: an idle poll of the default
        // 100 ms would hold a decided transaction back far longer than the commit interval.
        p.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(Math.max(1, Math.min(settings.commitIntervalMs(), 10))));
        p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().resolve(name).toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        // No record can stop a topology: what cannot be read, processed or written is logged, counted,
        // copied to the dead-letter topic and skipped.
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.topics().deadLetters().name());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterExceptionHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterExceptionHandlers.Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, guarantee == Guarantee.EXACTLY_ONCE
                ? DeadLetterExceptionHandlers.ExactlyOnceProduction.class.getName()
                : DeadLetterExceptionHandlers.Production.class.getName());
        // Events are written in transactions: never show a reader an aborted one.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                settings.topics().applicationId(name) + "-" + settings.instanceId());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        // Changelog and repartition topics get the engine's replication, as its own topics do.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.replication().factor());
        if (settings.replication().minInSyncReplicas() != null) {
            p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                    settings.replication().minInSyncReplicas().toString());
        }
        return p;
    }

    public String name() {
        return name;
    }

    /**
     * Creates the builder and builds the topology (Spring calls it once the bean is configured),
     * then names this process's static group membership after the topology (see {@link #memberId}).
     */
    @Override
    public void afterPropertiesSet() throws Exception {
        factory.afterPropertiesSet();
        factory.afterSingletonsInstantiated();
        memberId = config.get(INSTANCE_ID) + "-" + fingerprint(factory.getTopology().describe().toString());
        Properties streams = factory.getStreamsConfiguration();
        streams.put(INSTANCE_ID, memberId);
        factory.setStreamsConfiguration(streams);
    }

    private static final String INSTANCE_ID = StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);


    static String fingerprint(String description) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(description.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the topology, first removing from its group the static members this instance left
     * under an earlier topology's id (a version before an upgrade), so that their partitions are
     * assigned at once rather than after their session times out.
     */
    @Override
    public void start() {
        LOG.info("Starting {}", name);
        removeStaleMembers();
        if (rebuildsLostState) {
            String group = (String) config.get(StreamsConfig.APPLICATION_ID_CONFIG);
            rebuildTarget = LostState.rebuildIfLost(name,
                    Path.of((String) config.get(StreamsConfig.STATE_DIR_CONFIG)).resolve(group), group,
                    (String) config.get(INSTANCE_ID), client, inputTopics(group), storesFormat);
        }
        factory.start();
        newQueryServices();
    }

    /**
     * Whether {@code member} is a static member this instance left under another topology: the
     * configured id, then a fingerprint (none in versions before there were one), then Kafka
     * Streams' thread number; not the current fingerprint, and not another instance's id.
     */
    static boolean stale(String configured, String current, String member) {
        return Pattern.compile(Pattern.quote(configured) + "-(?:[0-9a-f]{8}-)?\\d+").matcher(member).matches()
                && !member.startsWith(current + "-");
    }

    private void removeStaleMembers() {
        String group = (String) config.get(StreamsConfig.APPLICATION_ID_CONFIG);
        String configured = (String) config.get(INSTANCE_ID);
        try (Admin admin = Admin.create(client)) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group);
            List<MemberToRemove> stale = description == null ? List.of() : description.members().stream()
                    .map(m -> m.groupInstanceId().orElse(null))
                    .filter(id -> id != null && stale(configured, memberId, id))
                    .map(MemberToRemove::new).toList();
            if (!stale.isEmpty()) {
                LOG.info("{}: removing {} static member(s) this instance left under an earlier topology", name,
                        stale.size());
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(stale))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (!(cause instanceof GroupIdNotFoundException)) { // a new application: no members yet
                LOG.warn("{}: could not check its group for members of an earlier topology; any such member keeps"
                        + " its partitions until its session times out", name, cause);
            }
        }
    }

    /** The topics the topology reads that it does not own (not its repartition topics). */
    private Set<String> inputTopics(String group) {
        Set<String> topics = new TreeSet<>(sourceTopics());
        topics.removeIf(t -> t.startsWith(group + "-") || t.endsWith("-repartition"));
        return topics;
    }

    /** The repartition topics the topology reads, by their names on the cluster. */
    private Set<String> repartitionTopics(String group) {
        Set<String> topics = new TreeSet<>();
        sourceTopics().stream().filter(t -> t.endsWith("-repartition"))
                .forEach(t -> topics.add(t.startsWith(group + "-") ? t : group + "-" + t));
        return topics;
    }

    private Set<String> sourceTopics() {
        Set<String> topics = new TreeSet<>();
        factory.getTopology().describe().subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                topics.addAll(source.topicSet());
            }
        }));
        return topics;
    }

    /**
     * Whether its stores hold everything its input topics held when it found its local state lost
     * (see {@link #rebuildingLostState()}); true when nothing was lost. While it rebuilds, its group's
     * committed offsets are asked for at most every 200 ms.
     */
    public boolean rebuilt() {
        Map<TopicPartition, Long> target = rebuildTarget;
        if (target.isEmpty()) {
            return true;
        }
        Admin admin;
        synchronized (this) {
            if (System.nanoTime() - rebuildCheckedAt < TimeUnit.MILLISECONDS.toNanos(200)) {
                return false;
            }
            rebuildCheckedAt = System.nanoTime();
            if (rebuildAdmin == null) {
                rebuildAdmin = Admin.create(client);
            }
            admin = rebuildAdmin;
        }
        String group = (String) config.get(StreamsConfig.APPLICATION_ID_CONFIG);
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            boolean reached = target.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
            if (reached && !rebuildingRepartitioned) {
                // what it has read of its input, it may not have read back from its repartition topics yet
                rebuildingRepartitioned = true;
                rebuildTarget = LostState.ends(admin, repartitionTopics(group), 0);
                reached = rebuildTarget.isEmpty();
            }
            if (reached) {
                rebuildTarget = Map.of();
                closeRebuildAdmin();
                LOG.info("{}: its stores are rebuilt", name);
            }
            return reached;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("{}: cannot tell whether its stores are rebuilt yet", name, e);
            return false;
        }
    }

    @Override
    public void stop() {
        LOG.info("Stopping {}", name);
        factory.stop();
    }

    @Override
    public boolean isRunning() {
        return factory.isRunning();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private synchronized void closeRebuildAdmin() {
        if (rebuildAdmin != null) {
            rebuildAdmin.close(Duration.ofSeconds(5));
            rebuildAdmin = null;
        }
    }

    @Override
    public void destroy() throws Exception {
        if (factory.isRunning()) {
            stop();
        }
        closeRebuildAdmin();
        factory.destroy();
    }

    /** The state of the topology's {@code KafkaStreams}; CREATED before it starts. */
    /**
     * Whether it serves: RUNNING, or REBALANCING after it ran once (its queries wait out a rebalance,
     * up to {@link #STORE_WAIT}). Not before its first start is through, nor in ERROR or once stopping.
     */
    public boolean ready() {
        KafkaStreams.State state = state();
        return state == KafkaStreams.State.RUNNING || (state == KafkaStreams.State.REBALANCING && hasRun);
    }

    public KafkaStreams.State state() {
        KafkaStreams streams = factory.getKafkaStreams();
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    /** Waits until the topology runs (all its tasks assigned and restored). */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state() != KafkaStreams.State.RUNNING) {
            if (state() == KafkaStreams.State.ERROR || state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(name + " stopped while starting: " + state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not reach RUNNING within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while starting " + name, e);
            }
        }
    }

    /** A local key-value store keyed by string, waiting out a rebalance for up to {@link #STORE_WAIT}. */
    public <V> ReadOnlyKeyValueStore<String, V> keyValueStore(String storeName) {
        return store(storeName, QueryableStoreTypes.keyValueStore(), STORE_WAIT);
    }

    /**
     * A local store for interactive queries: waiting out a rebalance for up to {@link #STORE_WAIT},
     * or, with a zero {@code timeout}, not at all.
     *
     * @throws InvalidStateStoreException when the store is not queryable in time
     */
    public <T> T store(String storeName, QueryableStoreType<T> type, Duration timeout) {
        KafkaStreamsInteractiveQueryService service = timeout.isZero() ? immediateQueries : queries;
        if (service == null || !factory.isRunning()) {
            throw new InvalidStateStoreException(name + " is not running");
        }
        try {
            return service.retrieveQueryableStore(storeName, type);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof InvalidStateStoreException invalid) {
                throw invalid;
            }
            throw e;
        }
    }

    /**
     * One local store per partition of {@code sourceTopic} (the topic that feeds the store's
     * processor), in partition order, for queries that merge sorted scans; waits out a rebalance for
     * up to {@link #STORE_WAIT}. (Kafka Streams' partition-scoped queries, which the interactive
     * query service does not offer.)
     */
    public <V> List<ReadOnlyKeyValueStore<String, V>> keyValueStorePartitions(String storeName, String sourceTopic) {
        try {
            return STORE_RETRY.execute(() -> partitionStores(storeName, sourceTopic));
        } catch (RetryException e) {
            throw e.getCause() instanceof InvalidStateStoreException invalid ? invalid
                    : new IllegalStateException("Cannot query " + storeName + " of " + name, e.getCause());
        }
    }

    private <V> List<ReadOnlyKeyValueStore<String, V>> partitionStores(String storeName, String sourceTopic) {
        KafkaStreams streams = factory.getKafkaStreams();
        if (streams == null) {
            throw new InvalidStateStoreException(name + " has not started");
        }
        List<Integer> partitions = streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(sourceTopic)).map(TopicPartition::partition)
                .distinct().sorted().toList();
        if (partitions.isEmpty() && streams.state() != KafkaStreams.State.RUNNING) {
            throw new InvalidStateStoreException(storeName + " has no partition yet");
        }
        List<ReadOnlyKeyValueStore<String, V>> stores = new ArrayList<>();
        for (int partition : partitions) {
            stores.add(streams.store(StoreQueryParameters.<ReadOnlyKeyValueStore<String, V>>fromNameAndType(
                    storeName, QueryableStoreTypes.keyValueStore()).withPartition(partition)));
        }
        return stores;
    }
}
