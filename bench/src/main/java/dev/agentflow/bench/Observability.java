package dev.agentflow.bench;

import com.sun.net.httpserver.HttpServer;
import dev.agentflow.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code observability}: what metrics and tracing cost. The packaged system is started once per
 * variant, one after the other in one invocation: metrics and tracing off; metrics on and tracing
 * sampled at 1%; metrics on and tracing at 100%, every span exported by OTLP/HTTP to a receiver in
 * this process (which reads and drops them, as a collector's intake would). Each variant measures
 * the raw-Kafka baseline on its own broker, then three-echo runs at a fixed concurrency after a
 * warm-up: runs/s, and the ratio to raw Kafka measured beside it.
 */
final class Observability {

    static final String USAGE = """
            usage: java -jar bench/target/agentflow-bench.jar observability [options]
              --runs N          measured runs per variant (default 1000)
              --warmup N        warm-up runs per variant (default 1000)
              --clients N       concurrent clients (default 16)
              --raw-records N   records of each raw-Kafka baseline (default 100000)
              --rounds N        how many times the three variants run, in turn (default 1)
              --jar PATH        the system (default standalone/target/agentflow.jar)
              --out DIR         results directory (default bench/results)
            """;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private Observability() {
    }

    /** A variant: its name and the system's settings. */
    private record Variant(String name, List<String> args) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--runs", "1000", "--warmup", "1000",
                "--clients", "16", "--raw-records", "100000", "--rounds", "1",
                "--jar", Path.of("standalone", "target", "agentflow.jar").toString(),
                "--out", Path.of("bench", "results").toString()));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("error: unknown option or missing value: " + args[i]);
                System.err.print(USAGE);
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        Path out = Path.of(options.get("--out"));
        Files.createDirectories(out);
        String stamp = STAMP.format(Instant.now());
        AtomicLong exported = new AtomicLong();
        HttpServer receiver = receiver(exported);
        String endpoint = "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/v1/traces";
        List<Variant> variants = List.of(
                new Variant("metrics and tracing off", List.of("--management.tracing.enabled=false",
                        "--management.metrics.enable.all=false")),
                new Variant("metrics on, tracing 1%", List.of("--management.tracing.sampling.probability=0.01",
                        endpoint)),
                new Variant("metrics on, tracing 100%", List.of("--management.tracing.sampling.probability=1.0",
                        endpoint)));
        List<Map<String, Object>> measured = new ArrayList<>();
        try {
            for (int round = 1; round <= Integer.parseInt(options.get("--rounds")); round++) {
                for (Variant variant : variants) {
                    long spansBefore = exported.get();
                    Map<String, Object> result = measure(variant, options, out, stamp + "-" + measured.size());
                    result.put("round", round);
                    result.put("otlpRequests", exported.get() - spansBefore);
                    Bench.log(variant.name() + ": " + result);
                    measured.add(result);
                }
            }
        } finally {
            receiver.stop(0);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", Machine.describe());
        results.put("settings", options);
        results.put("variants", measured);
        Path json = out.resolve(stamp + "-observability.json");
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        String markdown = markdown(measured, options);
        Files.writeString(out.resolve(stamp + "-observability.md"), markdown);
        System.out.println();
        System.out.print(markdown);
        System.out.println("Written: " + json);
        System.exit(0);
    }

    private static Map<String, Object> measure(Variant variant, Map<String, String> options, Path out, String stamp)
            throws Exception {
        List<String> benchArgs = new ArrayList<>(List.of("--runs", options.get("--runs"),
                "--warmup", options.get("--warmup"), "--concurrency", options.get("--clients"),
                "--raw-records", options.get("--raw-records"), "--jar", options.get("--jar"),
                "--out", out.toString()));
        variant.args().forEach(arg -> benchArgs.add("--system-arg=" + arg));
        Settings settings = Settings.parse(benchArgs.toArray(String[]::new));
        Bench.log(variant.name() + ": starting the system");
        try (SystemUnderTest system = SystemUnderTest.start(settings, out, stamp);
             RawKafka raw = new RawKafka(system.bootstrapServers())) {
            Map<String, Object> baseline = raw.baseline(settings.rawRecords(), 3, Bench.COMMIT_INTERVAL_MS);
            Api api = new Api(system.url(), null);
            String workflow = api.createWorkflow("observability", new Stats(), Bench.THREE_ECHO_STEPS);
            try (Observer observer = new Observer(system.bootstrapServers(), settings.topicPrefix())) {
                int clients = Integer.parseInt(options.get("--clients"));
                Bench.level(api, observer, raw, system, settings, workflow, clients, settings.warmupRuns(), baseline);
                Map<String, Object> level = Bench.level(api, observer, raw, system, settings, workflow, clients,
                        settings.runs(), baseline);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("variant", variant.name());
                result.put("rawProducedPerSecond", baseline.get("producedPerSecond"));
                result.put("runsPerSecond", level.get("runsPerSecond"));
                result.put("ratioToRawProduce", level.get("ratioToRawProduce"));
                result.put("stepsPerSecondVsRawProducePercent", level.get("stepsPerSecondVsRawProducePercent"));
                result.put("endToEndMs", level.get("endToEndMs"));
                result.put("cpuCores", level.get("cpuCores"));
                result.put("rssMiB", level.get("rssMiB"));
                result.put("failed", level.get("failed"));
                return result;
            }
        }
    }

    /** An OTLP/HTTP trace receiver: it reads each export whole, counts it and answers 200. */
    private static HttpServer receiver(AtomicLong exports) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            exports.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static String markdown(List<Map<String, Object>> measured, Map<String, String> options) {
        StringBuilder md = new StringBuilder("# What metrics and tracing cost\n\n");
        md.append("Three-echo runs at ").append(options.get("--clients")).append(" clients, ")
                .append(options.get("--runs")).append(" measured after ").append(options.get("--warmup"))
                .append(" warm-up runs; each variant on a system of its own, beside the raw-Kafka baseline measured"
                        + " on its broker.\n\n");
        md.append("| round | variant | runs/s | vs off, same round | steps/s as % of raw produce")
                .append(" | end-to-end p50 / p99 ms | CPU cores | OTLP exports |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        double off = 0;
        for (Map<String, Object> m : measured) {
            double runs = ((Number) m.get("runsPerSecond")).doubleValue();
            if (String.valueOf(m.get("variant")).endsWith("off")) {
                off = runs;
            }
            Object e2e = m.get("endToEndMs");
            String latency = e2e instanceof Map<?, ?> stats ? stats.get("p50") + " / " + stats.get("p99") : "";
            md.append("| ").append(m.get("round")).append(" | ").append(m.get("variant")).append(" | ")
                    .append(m.get("runsPerSecond")).append(" | ")
                    .append(off > 0 ? String.format("%.2f", runs / off) : "").append(" | ")
                    .append(m.get("stepsPerSecondVsRawProducePercent")).append(" | ")
                    .append(latency).append(" | ").append(m.get("cpuCores")).append(" | ")
                    .append(m.get("otlpRequests")).append(" |\n");
        }
        return md.toString();
    }
}
