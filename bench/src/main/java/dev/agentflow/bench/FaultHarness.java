package dev.agentflow.bench;

import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fault harness: a real three-broker KRaft cluster (separate broker processes), two or more
 * instances of the whole system (separate JVMs), load from this client, and faults injected by
 * {@code kill -9} and restart. After each scenario it checks, from outside: every run reached the
 * status its steps imply with the output they imply; no acknowledged run lost and none started
 * twice; one {@code StepCompleted} per step and attempt (read from the event topic); every agent
 * request invoked at least once, and more than once only within a fault's window; every instance
 * answers reads with the same views. It prints a table and writes it as JSON and markdown.
 *
 * <p>{@code java -jar bench/target/agentflow-bench.jar faults [--scenarios ci|full] ...} (see
 * {@link #USAGE}); {@code FaultHarnessIT} runs the {@code ci} scenario in {@code ./mvnw verify}.
 */
public final class FaultHarness {

    static final String USAGE = """
            usage: java -jar agentflow-bench.jar faults [options]
              --scenarios LIST        comma-separated, in order; ci (default): a broker and an instance
                                      killed mid-load; full: steady, broker-leader, instance-mid-call,
                                      instance-while-paused, rolling-restart, broker-outage, reads
                                      (each also alone; steady: the same load without faults)
              --jar PATH              the system under test (standalone/target/agentflow.jar)
              --out DIR               where results go (bench/results)
              --runs N                runs per scenario (300)
              --rate N                runs started per second (5)
              --delay-ms N            how long the delay agent takes per call (300)
              --instances N           instances of the system (2)
              --system-args "A B"     more arguments for every instance, such as --agentflow.kafka.properties.x=y
              --warmup N              runs before the first scenario, not measured (300; 0 for ci)
            """;

    static final String SLOW = "slow";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    /** What to run. */
    record Options(Path jar, Path out, String scenarios, int runs, int rate, long delayMs, int instances,
                   List<String> systemArgs, int warmup) {

        static Options parse(String... args) {
            Map<String, String> o = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unexpected argument " + args[i]);
                }
                o.put(args[i].substring(2), args[++i]);
            }
            Set<String> known = Set.of("scenarios", "jar", "out", "runs", "rate", "delay-ms", "instances",
                    "system-args", "warmup");
            o.keySet().stream().filter(k -> !known.contains(k)).findFirst().ifPresent(k -> {
                throw new IllegalArgumentException("unknown option --" + k);
            });
            String scenarios = o.getOrDefault("scenarios", "ci");
            for (String s : FaultHarness.scenarios(scenarios)) {
                if (!SCENARIOS.contains(s)) {
                    throw new IllegalArgumentException("no scenario " + s + "; there are ci, full, "
                            + String.join(", ", SCENARIOS));
                }
            }
            Options options = new Options(Path.of(o.getOrDefault("jar", "standalone/target/agentflow.jar")),
                    Path.of(o.getOrDefault("out", "bench/results")), scenarios,
                    Integer.parseInt(o.getOrDefault("runs", "300")), Integer.parseInt(o.getOrDefault("rate", "5")),
                    Long.parseLong(o.getOrDefault("delay-ms", "300")),
                    Integer.parseInt(o.getOrDefault("instances", "2")),
                    o.containsKey("system-args") ? List.of(o.get("system-args").trim().split("\\s+")) : List.of(),
                    Integer.parseInt(o.getOrDefault("warmup", scenarios.equals("ci") ? "0" : "300")));
            if (options.runs < 10 || options.rate < 1 || options.instances < 2 || options.delayMs < 0) {
                throw new IllegalArgumentException("--runs at least 10, --rate at least 1, --instances at least 2");
            }
            return options;
        }
    }

    /** Every scenario, in the order {@code full} runs them. */
    static final List<String> SCENARIOS = List.of("steady", "broker-leader", "instance-mid-call",
            "instance-while-paused", "rolling-restart", "broker-outage", "reads", "ci");

    static List<String> scenarios(String list) {
        if (list.equals("full")) {
            return SCENARIOS.subList(0, SCENARIOS.size() - 1);
        }
        return List.of(list.split(","));
    }

    /** A fault as it happened: when, what, how long the part was down, when the runs it caught were done. */
    static final class Fault {
        final String what;
        final long at;
        final Map<String, Object> details = new LinkedHashMap<>();
        long downMs;
        long recoveredAt;

        Fault(String what) {
            this.what = what;
            this.at = System.currentTimeMillis();
        }
    }

    /** A run the harness started: its key, input, id and when it was acknowledged. */
    record Started(int index, String key, String input, String runId, long ackAt) {
    }

    /** What a scenario's runs ended as. */
    record Finished(String status, String output, long completedAt) {
    }

    private final Options options;
    private final Path root;
    private final CountingAgent agent;
    private final BrokerCluster cluster;
    private final FaultChecks checks;
    private final List<SystemInstance> instances = new ArrayList<>();
    private final Map<String, Double> maxRss = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-harness");
        t.setDaemon(true);
        return t;
    });

    private FaultHarness(Options options) throws IOException {
        this.options = options;
        this.root = Files.createTempDirectory("agentflow-faults");
        this.agent = new CountingAgent(options.delayMs());
        this.cluster = new BrokerCluster(options.jar(), root, 3);
        this.checks = new FaultChecks(agent, instances, cluster.bootstrapServers());
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        Map<String, Object> results = run(options);
        System.out.println();
        System.out.print(results.get("markdown"));
        System.out.println("Written: " + results.get("written"));
        System.exit(Boolean.TRUE.equals(results.get("passed")) ? 0 : 1);
    }

    /** Runs the scenarios and writes their results; the results, with {@code passed}, {@code markdown}, {@code written}. */
    static Map<String, Object> run(Options options) throws Exception {
        // the harness's own Kafka clients: a broker it killed is expected to be unreachable
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        if (!Files.isRegularFile(options.jar())) {
            throw new IllegalArgumentException("no system at " + options.jar().toAbsolutePath()
                    + ": build it with ./mvnw -B package -DskipTests, or pass --jar");
        }
        FaultHarness harness = new FaultHarness(options);
        Map<String, Object> results = null;
        try {
            results = harness.runAll();
            return results;
        } finally {
            harness.close(results != null && Boolean.TRUE.equals(results.get("passed")));
        }
    }

    private Map<String, Object> runAll() throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Machine.describe());
        results.put("settings", Map.of("scenarios", options.scenarios(), "runs", options.runs(), "rate",
                options.rate(), "delayMs", options.delayMs(), "instances", options.instances(), "brokers", 3,
                "systemArgs", options.systemArgs(), "warmup", options.warmup()));
        long t0 = System.nanoTime();
        cluster.start();
        Bench.log("3 brokers up in " + seconds(t0) + " s: " + cluster.bootstrapServers());
        long t1 = System.nanoTime();
        List<String> args = new ArrayList<>(agent.agentArgs(SLOW));
        args.addAll(options.systemArgs());
        for (int i = 1; i <= options.instances(); i++) {
            instances.add(new SystemInstance(options.jar(), "node-" + i, root.resolve("node-" + i),
                    cluster.bootstrapServers(), args));
        }
        instances.forEach(SystemInstance::launch);
        for (SystemInstance instance : instances) {
            instance.awaitReady(Duration.ofMinutes(3));
        }
        Bench.log(instances.size() + " instances up in " + seconds(t1) + " s");
        background.submit(this::sampleMemory);
        if (options.warmup() > 0) {
            // fresh JVMs compile as they go: the first scenario would otherwise pay for it
            Load warmup = new Load("warmup", createWorkflow("warmup", SLOW, SLOW, "template"), options.warmup());
            long w = System.nanoTime();
            warmup.run();
            awaitStatus(warmup.started, Set.of("COMPLETED", "FAILED", "CANCELLED"));
            Bench.log(options.warmup() + " warm-up runs done in " + seconds(w) + " s");
        }

        List<Map<String, Object>> rows = new ArrayList<>();
        for (String scenario : scenarios(options.scenarios())) {
            switch (scenario) {
                case "ci" -> rows.add(loadScenario("ci", "a broker and an instance killed mid-load", load -> {
                    load.awaitFraction(0.15);
                    killBroker(true, Duration.ofSeconds(5));
                    load.awaitFraction(0.5);
                    killInstance(instances.size() - 1, Duration.ofSeconds(1));
                }));
                case "steady" -> rows.add(loadScenario("steady", "the same load, no fault", load -> {
                }));
                case "broker-leader" -> rows.add(loadScenario("broker-leader", "kill -9 the active controller "
                        + "(a partition leader too), restarted after 10 s", load -> {
                            load.awaitFraction(0.3);
                            killBroker(true, Duration.ofSeconds(10));
                        }));
                case "instance-mid-call" -> rows.add(loadScenario("instance-mid-call", "kill -9 an instance while "
                        + "its agents are mid-call, restarted after 5 s", load -> {
                            load.awaitFraction(0.3);
                            killInstance(instances.size() - 1, Duration.ofSeconds(5));
                        }));
                case "instance-while-paused" -> rows.add(pausedScenario());
                case "rolling-restart" -> rows.add(loadScenario("rolling-restart", "every instance stopped "
                        + "(SIGTERM) and started again, one at a time", load -> {
                            load.awaitFraction(0.1);
                            for (int i = 0; i < instances.size(); i++) {
                                restartInstance(i);
                            }
                        }));
                case "broker-outage" -> rows.add(loadScenario("broker-outage", "a broker other than the active "
                        + "controller stopped (SIGTERM) for 30 s, then started again", load -> {
                            load.awaitFraction(0.2);
                            stopBroker(Duration.ofSeconds(30));
                        }));
                case "reads" -> results.put("reads", reads());
                default -> throw new IllegalArgumentException("no scenario " + scenario);
            }
        }
        results.put("scenarios", rows);
        results.put("replication", replication());
        results.put("maxRssMiB", new LinkedHashMap<>(maxRss));
        boolean passed = rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("passed")));
        results.put("passed", passed);
        String markdown = FaultChecks.markdown(results);
        Files.createDirectories(options.out());
        String stamp = STAMP.format(Instant.now()) + "-faults";
        Path json = options.out().resolve(stamp + ".json");
        Path md = options.out().resolve(stamp + ".md");
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        Files.writeString(md, markdown);
        results.put("markdown", markdown);
        results.put("written", List.of(json, md));
        return results;
    }

    // ---------------------------------------------------------------- scenarios

    /** The faults of a scenario, injected while its load runs. */
    @FunctionalInterface
    interface Faults {
        void inject(Load load) throws Exception;
    }

    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());

    /** Runs of {@code slow → slow → template} under load, with {@code faults} injected meanwhile. */
    private Map<String, Object> loadScenario(String name, String description, Faults inject) throws Exception {
        Bench.log("scenario " + name + ": " + description);
        faults.clear();
        String workflow = createWorkflow(name, SLOW, SLOW, "template");
        Load load = new Load(name, workflow, options.runs());
        long loadStart = System.currentTimeMillis();
        var running = background.submit(() -> {
            load.run();
            return null;
        });
        var progress = background.submit(() -> progress(name, load));
        Map<String, Finished> finished;
        try {
            inject.inject(load);
            running.get();
            Bench.log(name + ": " + load.started.size() + " runs acknowledged in "
                    + (System.currentTimeMillis() - loadStart) / 1000.0 + " s; awaiting their end");
            finished = awaitStatus(load.started, Set.of("COMPLETED", "FAILED", "CANCELLED"));
        } finally {
            progress.cancel(true);
        }
        return checks.check(name, description, workflow, load, finished, Set.of(1, 2), s -> "done: " + s.input(),
                List.copyOf(faults));
    }

    /** Every 5 s while a scenario runs: runs acknowledged, agent calls made and in flight. */
    private void progress(String name, Load load) {
        int calls = agent.total();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                return;
            }
            int now = agent.total();
            Bench.log(name + ": " + load.started.size() + "/" + options.runs() + " runs acknowledged, "
                    + (now - calls) + " agent calls in 5 s, " + agent.inFlight() + " in flight");
            calls = now;
        }
    }

    /** Runs of {@code slow → human_approval → template} paused, an instance killed, then resumed meanwhile. */
    private Map<String, Object> pausedScenario() throws Exception {
        String name = "instance-while-paused";
        String description = "kill -9 an instance while runs wait for approval, resumed through any instance "
                + "meanwhile, restarted after 5 s";
        Bench.log("scenario " + name + ": " + description);
        faults.clear();
        String workflow = createWorkflow(name, SLOW, "human_approval", "template");
        Load load = new Load(name, workflow, options.runs());
        load.run();
        awaitStatus(load.started, Set.of("PAUSED"));
        AtomicInteger resumeRetries = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        SystemInstance victim = instances.get(instances.size() - 1);
        Fault fault = new Fault("kill -9 " + victim.id() + " with " + load.started.size() + " runs paused");
        faults.add(fault);
        victim.kill();
        List<java.util.concurrent.Future<?>> resumes = new ArrayList<>();
        for (Started s : load.started) {
            resumes.add(clients.submit(() -> resume(s, resumeRetries)));
        }
        BrokerCluster.sleep(5_000);
        victim.launch();
        victim.awaitReady(Duration.ofMinutes(3));
        fault.downMs = System.currentTimeMillis() - fault.at;
        for (var r : resumes) {
            r.get();
        }
        clients.shutdown();
        fault.details.put("resumeRetries", resumeRetries.get());
        Map<String, Finished> finished = awaitStatus(load.started, Set.of("COMPLETED", "FAILED", "CANCELLED"));
        return checks.check(name, description, workflow, load, finished, Set.of(1), s -> "done: approved " + s.input(),
                List.copyOf(faults));
    }

    private void resume(Started run, AtomicInteger retries) {
        String body = Json.mapper().createObjectNode().put("output", "approved " + run.input()).toString();
        long deadline = System.currentTimeMillis() + RUN_TIMEOUT.toMillis();
        for (int attempt = 0; System.currentTimeMillis() < deadline; attempt++) {
            SystemInstance target = instances.get((run.index() + attempt) % instances.size());
            try {
                Api.Response r = target.api().call("POST", "/api/v1/workflows/runs/" + run.runId() + "/resume", body,
                        null);
                if (r.status() == 202) {
                    return;
                }
                if (r.status() == 409) {
                    // an earlier attempt went through although its answer was lost: the run is no longer paused
                    Api.Response now = target.api().call("GET", "/api/v1/workflows/runs/" + run.runId(), null, null);
                    if (now.status() == 200 && !"PAUSED".equals(now.json().path("status").asString())) {
                        return;
                    }
                } else if (r.status() < 500 && r.status() != 429) {
                    throw new IllegalStateException("resume of " + run.runId() + " answered " + r.status() + ": "
                            + r.body());
                }
            } catch (IOException e) {
                // that instance is down: the next one
            }
            retries.incrementAndGet();
            BrokerCluster.sleep(250);
        }
        throw new IllegalStateException("resume of " + run.runId() + " not accepted within " + RUN_TIMEOUT);
    }

    /**
     * The runs of one scenario: started at {@code rate} per second, each under an Idempotency-Key, by
     * up to 128 clients at once, so that requests held up by a fault (up to the API's command timeout)
     * do not hold back the ones after them.
     */
    final class Load {
        final String scenario;
        final String workflowId;
        final List<Started> started = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger submitted = new AtomicInteger();
        final AtomicInteger failedStarts = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final int runs;

        Load(String scenario, String workflowId, int runs) {
            this.scenario = scenario;
            this.workflowId = workflowId;
            this.runs = runs;
        }

        void run() throws InterruptedException {
            ExecutorService clients = Executors.newFixedThreadPool(128);
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                long due = start + i * 1_000_000_000L / options.rate();
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int index = i;
                clients.submit(() -> startRun(index));
                submitted.incrementAndGet();
            }
            clients.shutdown();
            if (!clients.awaitTermination(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("starts still pending after " + RUN_TIMEOUT);
            }
        }

        /** Waits until this share of the runs has been sent. */
        void awaitFraction(double share) {
            while (submitted.get() < share * runs) {
                BrokerCluster.sleep(20);
            }
        }

        private void startRun(int index) {
            String key = scenario + "-" + index;
            String input = "input " + key;
            String body = Json.mapper().createObjectNode().put("input", input).toString();
            long deadline = System.currentTimeMillis() + RUN_TIMEOUT.toMillis();
            for (int attempt = 0; System.currentTimeMillis() < deadline; attempt++) {
                SystemInstance target = instances.get((index + attempt) % instances.size());
                try {
                    Api.Response r = target.api().call("POST", "/api/v1/workflows/" + workflowId + "/run", body, key);
                    if (r.status() == 202) {
                        started.add(new Started(index, key, input, r.json().path("runId").asString(),
                                System.currentTimeMillis()));
                        return;
                    }
                    if (r.status() < 500 && r.status() != 429) {
                        Bench.log("start " + key + " answered " + r.status() + ": " + r.body());
                        failedStarts.incrementAndGet();
                        return;
                    }
                } catch (IOException e) {
                    // that instance is down: the next one, under the same key
                }
                retries.incrementAndGet();
                BrokerCluster.sleep(200);
            }
            failedStarts.incrementAndGet();
        }
    }

    // ---------------------------------------------------------------- faults

    /** kill -9 the active controller ({@code controller}) or another broker, and start it again after {@code down}. */
    private void killBroker(boolean controller, Duration down) throws Exception {
        int id = victimBroker(controller);
        Fault fault = new Fault("kill -9 broker " + id + (controller ? " (active controller)" : ""));
        fault.details.put("broker", id);
        fault.details.put("runEventPartitionsLed", cluster.partitionsLed(id, List.of("agentflow.run-events")));
        faults.add(fault);
        Bench.log(fault.what + ", leading " + fault.details.get("runEventPartitionsLed") + " run-events partitions");
        cluster.kill(id);
        bringBack(fault, id, down);
    }

    /** Stops (SIGTERM) a broker other than the active controller for {@code down}, then starts it again. */
    private void stopBroker(Duration down) throws Exception {
        int id = victimBroker(false);
        Fault fault = new Fault("broker " + id + " stopped for " + down.toSeconds() + " s");
        fault.details.put("broker", id);
        faults.add(fault);
        cluster.stop(id);
        bringBack(fault, id, down);
    }

    /** Starts broker {@code id} again after {@code down}; when its copies are in sync again is noted meanwhile. */
    private void bringBack(Fault fault, int id, Duration down) {
        BrokerCluster.sleep(down.toMillis());
        cluster.start(id);
        fault.downMs = System.currentTimeMillis() - fault.at;
        background.submit(() -> fault.details.put("brokerInSyncSeconds",
                round(cluster.awaitInSync("agentflow.", Duration.ofMinutes(3)) + fault.downMs / 1000.0)));
    }

    private int victimBroker(boolean controller) throws Exception {
        int active = cluster.activeController();
        if (controller) {
            return active;
        }
        return cluster.brokers().stream().mapToInt(b -> b.id).filter(id -> id != active).findFirst().orElseThrow();
    }

    /** kill -9 an instance (its agents mid-call), start it again after {@code down}, and wait for its API. */
    private void killInstance(int index, Duration down) {
        SystemInstance victim = instances.get(index);
        int inFlight = agent.inFlight();
        Fault fault = new Fault("kill -9 " + victim.id() + " (" + inFlight + " agent calls in flight)");
        fault.details.put("agentCallsInFlight", inFlight);
        faults.add(fault);
        Bench.log(fault.what);
        victim.kill();
        BrokerCluster.sleep(down.toMillis());
        victim.launch();
        victim.awaitReady(Duration.ofMinutes(3));
        fault.downMs = System.currentTimeMillis() - fault.at;
        Bench.log(victim.id() + " serving again after " + fault.downMs / 1000.0 + " s");
    }

    /** Stops an instance (SIGTERM), starts it again and waits for its API: one step of a rolling restart. */
    private void restartInstance(int index) {
        SystemInstance instance = instances.get(index);
        Fault fault = new Fault("restart " + instance.id());
        faults.add(fault);
        instance.stop();
        instance.launch();
        instance.awaitReady(Duration.ofMinutes(3));
        fault.downMs = System.currentTimeMillis() - fault.at;
        Bench.log(instance.id() + " restarted in " + fault.downMs / 1000.0 + " s");
    }

    // ---------------------------------------------------------------- checks

    private String createWorkflow(String name, String... agents) throws Exception {
        Api api = instances.get(0).api();
        Api.Response created = api.call("POST", "/api/v1/workflows",
                Json.mapper().createObjectNode().put("name", "faults " + name).toString(), null);
        if (created.status() != 201) {
            throw new IllegalStateException("creating a workflow answered " + created.status() + ": " + created.body());
        }
        String id = created.json().path("id").asString();
        int order = 1;
        for (String agentId : agents) {
            ObjectNode step = Json.mapper().createObjectNode().put("agentId", agentId)
                    .put("action", agentId.equals("template") ? "done: {{input}}" : "{{input}}")
                    .put("stepOrder", order++);
            Api.Response r = api.call("POST", "/api/v1/workflows/" + id + "/steps", step.toString(), null);
            if (r.status() != 201) {
                throw new IllegalStateException("adding a step answered " + r.status() + ": " + r.body());
            }
        }
        return id;
    }

    /** GETs every run (through whichever instance answers) until each shows one of {@code statuses}. */
    private Map<String, Finished> awaitStatus(List<Started> runs, Set<String> statuses) {
        Map<String, Finished> done = new HashMap<>();
        long deadline = System.currentTimeMillis() + RUN_TIMEOUT.toMillis();
        int turn = 0;
        while (done.size() < runs.size() && System.currentTimeMillis() < deadline) {
            for (Started s : runs) {
                if (done.containsKey(s.runId())) {
                    continue;
                }
                SystemInstance target = instances.get(turn++ % instances.size());
                try {
                    Api.Response r = target.api().call("GET", "/api/v1/workflows/runs/" + s.runId(), null, null);
                    if (r.status() == 200) {
                        JsonNode run = r.json();
                        if (statuses.contains(run.path("status").asString())) {
                            done.put(s.runId(), new Finished(run.path("status").asString(),
                                    run.path("output").asString(null),
                                    Instant.parse(run.path("updatedAt").asString()).toEpochMilli()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // down or restarting: another instance next time
                }
            }
            if (done.size() < runs.size()) {
                BrokerCluster.sleep(250);
            }
        }
        return done;
    }

    // ---------------------------------------------------------------- reads and sizing

    /**
     * Reads per second of run details by 16 clients for 10 s: through the first instance alone, then
     * spread over all of them. Every instance keeps a full copy of the views, so any answers any read.
     */
    private Map<String, Object> reads() throws Exception {
        List<String> runIds = new ArrayList<>();
        JsonNode page = instances.get(0).api().call("GET", "/api/v1/workflows/runs?status=COMPLETED&page=0&size=100",
                null, null).json();
        page.path("content").forEach(r -> runIds.add(r.path("id").asString()));
        if (runIds.isEmpty()) {
            throw new IllegalStateException("no completed runs to read: " + page);
        }
        Map<String, Object> reads = new LinkedHashMap<>();
        reads.put("clients", 16);
        reads.put("seconds", 10);
        reads.put("oneInstance", readLoad(instances.subList(0, 1), runIds));
        reads.put("allInstances", readLoad(instances, runIds));
        reads.put("instances", instances.size());
        return reads;
    }

    private Map<String, Object> readLoad(List<SystemInstance> targets, List<String> runIds) throws Exception {
        Stats latency = new Stats();
        AtomicInteger errors = new AtomicInteger();
        double cpuBefore = targets.stream().mapToDouble(i -> ProcessStats.cpuSeconds(i.pid())).sum();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int c = 0; c < 16; c++) {
            int client = c;
            clients.submit(() -> {
                Api api = targets.get(client % targets.size()).api();
                while (System.nanoTime() < end) {
                    String id = runIds.get(ThreadLocalRandom.current().nextInt(runIds.size()));
                    long t = System.nanoTime();
                    try {
                        if (api.call("GET", "/api/v1/workflows/runs/" + id, null, null).status() == 200) {
                            latency.add((System.nanoTime() - t) / 1_000);
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        clients.shutdown();
        clients.awaitTermination(1, TimeUnit.MINUTES);
        double cpu = targets.stream().mapToDouble(i -> ProcessStats.cpuSeconds(i.pid())).sum() - cpuBefore;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("instances", targets.size());
        r.put("readsPerSecond", latency.count() / 10);
        // what a read costs the instances that serve it: the same however many there are, so capacity
        // grows with the cores they run on
        r.put("instanceCpuSeconds", round(cpu));
        r.put("readsPerInstanceCpuSecond", cpu > 0 ? Math.round(latency.count() / cpu) : -1);
        r.put("errors", errors.get());
        r.put("p50Ms", round(latency.percentile(50) / 1000.0));
        r.put("p99Ms", round(latency.percentile(99) / 1000.0));
        Bench.log("reads through " + targets.size() + " instance(s): " + r);
        return r;
    }

    /** The replication of every topic of the engine, its Kafka Streams internal ones included. */
    private Map<String, Object> replication() throws Exception {
        Map<String, Integer> factors = cluster.replicationFactors("agentflow.");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("topics", factors.size());
        r.put("minReplicationFactor", factors.values().stream().mapToInt(Integer::intValue).min().orElse(0));
        r.put("changelogTopics", factors.keySet().stream().filter(n -> n.endsWith("-changelog")).count());
        r.put("belowThree", factors.entrySet().stream().filter(e -> e.getValue() < 3).map(Map.Entry::getKey)
                .sorted().collect(Collectors.toList()));
        return r;
    }

    private void sampleMemory() {
        while (!Thread.currentThread().isInterrupted()) {
            for (SystemInstance instance : instances) {
                maxRss.merge("instance", ProcessStats.rssMiB(instance.pid()), Math::max);
            }
            for (BrokerCluster.Broker broker : cluster.brokers()) {
                maxRss.merge("broker", ProcessStats.rssMiB(broker.pid()), Math::max);
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- report

    static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static double seconds(long sinceNanos) {
        return round((System.nanoTime() - sinceNanos) / 1e9);
    }

    /** Kills every process (their state is thrown away); deletes their directory unless something failed. */
    private void close(boolean passed) {
        background.shutdownNow();
        instances.forEach(SystemInstance::destroy);
        cluster.close();
        agent.close();
        if (!passed) {
            Bench.log("the logs of every process are kept in " + root);
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            Bench.log("could not delete " + root + ": " + e.getMessage());
        }
    }
}
