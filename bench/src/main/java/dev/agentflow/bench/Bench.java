package dev.agentflow.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The benchmark: raw Kafka on the system's broker, then three-step echo runs through the real
 * HTTP API at each concurrency of the sweep, then a pause/resume scenario, the payload sweep and the
 * history-size scenario (list queries with few and many runs stored). Prints a table and
 * writes JSON, markdown and a PNG plot. It never fails on timing: figures are for people.
 */
public final class Bench {

    static final String[] THREE_ECHO_STEPS = {"echo", "echo", "echo"};
    /**
     * The payload sweep's workflow: each step writes a new text of the same size (echo hands its
     * input back, so the engine would pass the same stored payload along without writing it again).
     */
    static final String[] THREE_TEMPLATE_STEPS = {"template", "template", "template"};
    static final String[] PAUSE_AT_STEP_2 = {"echo", "human_approval", "echo"};
    /** The engine's default Kafka Streams commit interval, used for the transactional baseline. */
    static final long COMMIT_INTERVAL_MS = 20;
    static final long RUN_TIMEOUT_SECONDS = 120;
    /** The size of each measured run's input, as the targets for bytes per step assume. */
    static final int INPUT_BYTES = 200;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("faults")) {
            FaultHarness.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("observability")) {
            Observability.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(Settings.USAGE);
            System.exit(2);
            return;
        }
        Report report = run(settings);
        System.out.println();
        System.out.print(report.markdown());
        System.out.println("Written: " + report.written());
        System.exit(0);
    }

    /** Runs the whole benchmark and writes its results. */
    static Report run(Settings settings) throws Exception {
        Files.createDirectories(settings.out());
        String stamp = STAMP.format(Instant.now());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Machine.describe());
        results.put("settings", Map.of("runs", settings.runs(), "warmupRuns", settings.warmupRuns(),
                "concurrency", settings.concurrency(), "pauseRuns", settings.pauseRuns(),
                "target", settings.url() == null ? "started " + settings.jar() : settings.url(),
                "systemArgs", settings.systemArgs(), "authenticated", settings.apiKey() != null));
        try (SystemUnderTest system = settings.url() == null ? SystemUnderTest.start(settings, settings.out(), stamp)
                : SystemUnderTest.attach(settings);
             RawKafka raw = new RawKafka(system.bootstrapServers())) {
            log("raw Kafka baseline: " + settings.rawRecords() + " records of " + RawKafka.RECORD_BYTES + " bytes");
            Map<String, Object> baseline = raw.baseline(settings.rawRecords(), 3, COMMIT_INTERVAL_MS);
            results.put("rawKafka", baseline);
            log("raw Kafka: " + baseline);

            Api api = new Api(system.url(), settings.apiKey());
            Stats create = new Stats();
            for (int i = 0; i < 50; i++) {
                api.createWorkflow("bench-create-" + i, create);
            }
            String threeSteps = api.createWorkflow("bench-three-echo", create, THREE_ECHO_STEPS);
            String pausing = api.createWorkflow("bench-pause", create, PAUSE_AT_STEP_2);
            try (Observer observer = new Observer(system.bootstrapServers(), settings.topicPrefix())) {
                if (settings.warmupRuns() > 0) {
                    log("warm-up: " + settings.warmupRuns() + " runs at 16 clients");
                    level(api, observer, raw, system, settings, threeSteps, 16, settings.warmupRuns(), baseline);
                }
                List<Map<String, Object>> levels = new ArrayList<>();
                for (int clients : settings.concurrency()) {
                    log("measuring: " + settings.runs() + " runs at " + clients + " clients");
                    Map<String, Object> level = level(api, observer, raw, system, settings, threeSteps, clients,
                            settings.runs(), baseline);
                    log("  " + level);
                    levels.add(level);
                }
                results.put("levels", levels);
                results.put("createWorkflowApiMs", create.summary());
                log("idempotent starts: " + Math.min(settings.runs(), IDEMPOTENT_STARTS) + " of each kind, 1 client");
                results.put("idempotentStart", idempotentStart(api, observer, threeSteps,
                        Math.min(settings.runs(), IDEMPOTENT_STARTS)));
                log("  " + results.get("idempotentStart"));
                if (settings.pauseRuns() > 0) {
                    log("pause/resume: " + settings.pauseRuns() + " runs at 4 clients");
                    results.put("pauseResume", pauseResume(api, observer, pausing, settings.pauseRuns(), 4));
                }
                List<Map<String, Object>> payloads = new ArrayList<>();
                String templates = settings.payloadBytes().isEmpty() ? null
                        : api.createWorkflow("bench-three-templates", create, THREE_TEMPLATE_STEPS);
                for (int bytes : settings.payloadBytes()) {
                    log("payloads of " + bytes + " bytes: raw Kafka, then " + settings.payloadRuns() + " runs at "
                            + settings.payloadClients() + " clients");
                    Map<String, Object> level = payloadLevel(api, observer, raw, settings, templates, bytes);
                    log("  " + level);
                    payloads.add(level);
                }
                if (!payloads.isEmpty()) {
                    results.put("payloads", payloads);
                }
                if (!settings.historyRuns().isEmpty()) {
                    results.put("history", History.run(api, system, settings, pausing));
                }
            }
            results.put("finishedAt", Instant.now().toString());
            return Report.write(results, settings.out(), stamp);
        }
    }

    /** How many starts of each kind the idempotent-start measurement makes, at most. */
    static final int IDEMPOTENT_STARTS = 300;

    /**
     * The run API's latency with and without an {@code Idempotency-Key}, interleaved at one client so
     * that both see the same system: a start without a key, one with a new key, and the same again
     * (a repeat, answered with the first run's ids). Each run is waited for before the next triple,
     * so the starts do not queue behind earlier runs.
     */
    private static Map<String, Object> idempotentStart(Api api, Observer observer, String workflowId, int triples)
            throws Exception {
        Stats without = new Stats();
        Stats withKey = new Stats();
        Stats repeated = new Stats();
        String prefix = "bench-" + System.nanoTime() + "-";
        for (int i = 0; i < triples; i++) {
            String plain = api.startRun(workflowId, "no key " + i, null, without);
            String keyed = api.startRun(workflowId, "key " + i, prefix + i, withKey);
            String again = api.startRun(workflowId, "key " + i, prefix + i, repeated);
            if (!again.equals(keyed)) {
                throw new IllegalStateException("a repeated Idempotency-Key started run " + again + ", not " + keyed);
            }
            for (String runId : List.of(plain, keyed)) {
                observer.track(runId).completed.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                observer.forget(runId);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("starts", triples);
        result.put("withoutKeyMs", without.summary());
        result.put("withNewKeyMs", withKey.summary());
        result.put("withRepeatedKeyMs", repeated.summary());
        result.put("newKeyOverheadP50Ms", round(((Number) withKey.summary().get("p50")).doubleValue()
                - ((Number) without.summary().get("p50")).doubleValue()));
        return result;
    }

    /** C clients, each starting a run and waiting for it to complete, until {@code runs} runs are done. */
    static Map<String, Object> level(Api api, Observer observer, RawKafka raw, SystemUnderTest system,
                                             Settings settings, String workflowId, int clients, int runs,
                                             Map<String, Object> baseline) throws Exception {
        Stats endToEnd = new Stats();
        Stats seenByApi = new Stats();
        Stats runApi = new Stats();
        Stats overhead = new Stats();
        List<Observer.Run> done = Collections.synchronizedList(new ArrayList<>());
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> byTopicBefore = raw.endOffsetsByTopic(settings.topicPrefix());
        long offsetsBefore = byTopicBefore.values().stream().mapToLong(Long::longValue).sum();
        long bytesBefore = raw.logBytes(settings.topicPrefix());
        double cpuBefore = ProcessStats.cpuSeconds(system.pid());
        long start = System.nanoTime();
        int failed = closedLoop(clients, runs, runId -> {
            long startedAt = System.currentTimeMillis();
            String input = "bench input " + startedAt + " ";
            runId[0] = api.startRun(workflowId, input + "x".repeat(INPUT_BYTES - input.length()), runApi);
            Observer.Run run = observer.track(runId[0]);
            long completedAt = run.completed.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            endToEnd.add(completedAt - startedAt);
            // through the API: the first GET of the run that shows it COMPLETED (polled from when a
            // read_committed consumer saw it, so never earlier than that); at light load only, where
            // the targets are, since polling under load would be load of its own
            if (clients <= 4) {
                api.awaitRunStatus(runId[0], "COMPLETED", Duration.ofSeconds(RUN_TIMEOUT_SECONDS));
                seenByApi.add(System.currentTimeMillis() - startedAt);
            }
            done.add(run);
        }, started::add);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuAfter = ProcessStats.cpuSeconds(system.pid());
        Map<String, Long> byTopic = raw.endOffsetsByTopic(settings.topicPrefix());
        long offsets = byTopic.values().stream().mapToLong(Long::longValue).sum() - offsetsBefore;
        long bytes = raw.logBytes(settings.topicPrefix()) - bytesBefore;
        observer.catchUp(raw.committedEnds(observer.partitions()), Duration.ofSeconds(30));
        done.forEach(run -> Observer.overheads(run, THREE_ECHO_STEPS.length, overhead));
        Map<String, Stats> hops = new LinkedHashMap<>();
        for (String hop : List.of("startToStartedMs", "requestToResultMs", "lastResultToCompletedMs",
                "completedToVisibleMs")) {
            hops.put(hop, new Stats());
        }
        done.forEach(run -> Observer.hops(run, THREE_ECHO_STEPS.length, hops));
        started.forEach(observer::forget);
        int completed = endToEnd.count();
        double engineRecords = offsets / seconds;
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("clients", clients);
        level.put("runs", runs);
        level.put("completed", completed);
        level.put("failed", failed);
        level.put("seconds", round(seconds));
        level.put("runsPerSecond", round(completed / seconds));
        level.put("stepsPerSecond", round(completed * THREE_ECHO_STEPS.length / seconds));
        level.put("endToEndMs", endToEnd.summary());
        level.put("completedSeenByApiMs", seenByApi.summary());
        level.put("runApiMs", runApi.summary());
        level.put("stepOverheadMs", overhead.summary());
        Map<String, Object> hopSummaries = new LinkedHashMap<>();
        hops.forEach((hop, stats) -> hopSummaries.put(hop, stats.summary()));
        level.put("hopsMs", hopSummaries);
        level.put("engineRecordsPerSecond", Math.round(engineRecords));
        level.put("ratioToRawProduce", round(engineRecords / ((Number) baseline.get("producedPerSecond")).doubleValue()));
        int steps = completed * THREE_ECHO_STEPS.length;
        level.put("recordsPerStep", steps == 0 ? null : round((double) offsets / steps));
        level.put("logBytesPerStep", steps == 0 ? null : Math.round((double) bytes / steps));
        Map<String, Object> perTopic = new LinkedHashMap<>();
        byTopic.forEach((topic, end) -> {
            long written = end - byTopicBefore.getOrDefault(topic, 0L);
            if (written > 0 && steps > 0) {
                perTopic.put(topic.substring(settings.topicPrefix().length()), round((double) written / steps));
            }
        });
        level.put("recordsPerStepByTopic", perTopic);
        level.put("stepsPerSecondVsRawProducePercent", round(100 * completed * THREE_ECHO_STEPS.length / seconds
                / ((Number) baseline.get("producedPerSecond")).doubleValue()));
        level.put("cpuCores", cpuBefore < 0 ? null : round((cpuAfter - cpuBefore) / seconds));
        double rss = ProcessStats.rssMiB(system.pid());
        level.put("rssMiB", rss < 0 ? null : Math.round(rss));
        return level;
    }

    /**
     * Runs of three {@code template} steps
     * ({@code {{input}}}) whose input has {@code bytes}, so that every step writes a new payload of
     * that size, then raw Kafka with records of {@code bytes}: steps/s, and MB/s (steps/s × size)
     * beside raw Kafka's MB/s.
     */
    private static Map<String, Object> payloadLevel(Api api, Observer observer, RawKafka raw, Settings settings,
                                                    String workflowId, int bytes) throws Exception {
        // as many runs as asked, unless their steps would write more than --payload-mb
        int runs = (int) Math.max(settings.payloadClients(), Math.min(settings.payloadRuns(),
                settings.payloadMegabytes() * 1_000_000L / (3L * bytes)));
        String filler = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(bytes / 36 + 1);
        AtomicInteger n = new AtomicInteger();
        Client client = runId -> {
            String head = "run " + n.incrementAndGet() + " ";
            runId[0] = api.startRun(workflowId, head + filler.substring(0, bytes - head.length()), null);
            observer.track(runId[0]).completed.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        };
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        closedLoop(settings.payloadClients(), Math.max(settings.payloadClients(), runs / 10), client, started::add);
        Stats endToEnd = new Stats();
        long start = System.nanoTime();
        int failed = closedLoop(settings.payloadClients(), runs, runId -> {
            long startedAt = System.currentTimeMillis();
            client.run(runId);
            endToEnd.add(System.currentTimeMillis() - startedAt);
        }, started::add);
        double seconds = (System.nanoTime() - start) / 1e9;
        started.forEach(observer::forget);
        double stepsPerSecond = endToEnd.count() * THREE_TEMPLATE_STEPS.length / seconds;
        double engineMBps = stepsPerSecond * bytes / 1e6;
        // raw Kafka after the engine: deleting its topic loads the broker for a while
        Map<String, Object> baseline = raw.payloadBaseline(bytes, settings.rawPayloadBytes(), 3);
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("payloadBytes", bytes);
        level.put("clients", settings.payloadClients());
        level.put("runs", runs);
        level.put("completed", endToEnd.count());
        level.put("failed", failed);
        level.put("seconds", round(seconds));
        level.put("stepsPerSecond", round(stepsPerSecond));
        level.put("engineMBPerSecond", round(engineMBps));
        level.put("endToEndMs", endToEnd.summary());
        level.put("rawKafka", baseline);
        level.put("ratioToRawProduceMB", round(engineMBps / ((Number) baseline.get("producedMBPerSecond"))
                .doubleValue()));
        return level;
    }

    /** Runs that pause at step 2, resumed by the harness as soon as they pause. */
    private static Map<String, Object> pauseResume(Api api, Observer observer, String workflowId, int runs,
                                                   int clients) throws Exception {
        Stats resumeApi = new Stats();
        Stats resumeToNextStep = new Stats();
        Stats endToEnd = new Stats();
        int failed = closedLoop(clients, runs, runId -> {
            runId[0] = api.startRun(workflowId, "needs approval", null);
            Observer.Run run = observer.track(runId[0]);
            run.paused.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long resumedAt = System.currentTimeMillis();
            api.resume(runId[0], "approved", resumeApi);
            long nextStep = run.requested(3).get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            resumeToNextStep.add(Math.max(0, nextStep - resumedAt));
            endToEnd.add(run.completed.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS) - resumedAt);
        }, observer::forget);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        result.put("clients", clients);
        result.put("failed", failed);
        result.put("resumeApiMs", resumeApi.summary());
        result.put("resumeToNextStepStartedMs", resumeToNextStep.summary());
        result.put("resumeToCompletedMs", endToEnd.summary());
        return result;
    }

    /** One client's run: starts it, puts its id in {@code runId[0]} at once, and waits for what is measured. */
    @FunctionalInterface
    private interface Client {
        void run(String[] runId) throws Exception;
    }

    /**
     * {@code clients} closed-loop clients sharing {@code runs} runs, each starting its next run when
     * the last one is done; every started run's id goes to {@code started}. Returns how many failed.
     */
    private static int closedLoop(int clients, int runs, Client client, Consumer<String> started) throws Exception {
        AtomicInteger remaining = new AtomicInteger(runs);
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (remaining.getAndDecrement() > 0) {
                        String[] runId = new String[1];
                        try {
                            client.run(runId);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (Exception e) {
                            if (failed.incrementAndGet() <= 5) {
                                log("  run " + runId[0] + " failed: " + e);
                            }
                        } finally {
                            if (runId[0] != null) {
                                started.accept(runId[0]);
                            }
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
        }
        return failed.get();
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static void log(String message) {
        System.out.println(Instant.now() + "  " + message);
    }
}
