package dev.agentflow.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What to run. Defaults are the documented sweep; the smoke test shrinks them.
 *
 * @param url              a running system's API (null: start the packaged jar)
 * @param bootstrapServers that system's Kafka (with {@code url})
 * @param pid              that system's process id, for CPU and RSS (optional, with {@code url})
 * @param jar              the packaged standalone jar to start
 * @param runs             measured runs per concurrency level
 * @param warmupRuns       runs before measuring, not counted
 * @param concurrency      the sweep of concurrent clients
 * @param pauseRuns        runs of the pause/resume scenario
 * @param rawRecords       records of each raw-Kafka baseline
 * @param topicPrefix      the system's topic prefix
 * @param out              where results are written
 * @param jfr              record a JFR profile of the system (started jar only)
 * @param systemArgs       extra arguments for the started system, e.g. a setting to compare
 * @param payloadBytes     the payload sizes to sweep (run inputs, so every step's output too); empty: none
 * @param payloadRuns      measured runs per payload size
 * @param payloadClients   concurrent clients of the payload sweep
 * @param rawPayloadBytes  how many bytes each raw-Kafka baseline of a payload size writes
 * @param payloadMegabytes the most MB the measured runs of one payload size write (fewer runs of large sizes)
 * @param historyRuns      the history-size scenario's levels: finished runs stored (ascending); empty: none
 * @param historyQueries   measured GETs of each list query at each level
 * @param apiKey           the API key every request sends (a started system is given its hash, as admin);
 *                         null: none (a started system on loopback is open)
 */
record Settings(String url, String bootstrapServers, Long pid, Path jar, int runs, int warmupRuns,
                List<Integer> concurrency, int pauseRuns, int rawRecords, String topicPrefix, Path out,
                boolean jfr, List<String> systemArgs, List<Integer> payloadBytes, int payloadRuns,
                int payloadClients, long rawPayloadBytes, int payloadMegabytes, List<Integer> historyRuns,
                int historyQueries, String apiKey) {

    static final String USAGE = """
            usage: java -jar bench/target/agentflow-bench.jar [options]
              --runs N               measured runs per concurrency level (default 2000)
              --warmup N             warm-up runs before measuring (default 8000)
              --concurrency 1,4,16   concurrent clients to sweep (default 1,4,16,64)
              --pause-runs N         runs of the pause/resume scenario (default 200)
              --raw-records N        records per raw-Kafka baseline (default 200000)
              --payload-bytes 200,4096,65536,1048576
                                     payload sizes to sweep: three-step echo runs of inputs of
                                     each size, beside raw Kafka with records of that size
                                     (default those four; "none" skips the sweep)
              --payload-runs N       measured runs per payload size (default 1000)
              --payload-mb N         at most N MB of payloads written by one size's runs (default 600)
              --payload-clients N    concurrent clients of the payload sweep (default 64)
              --raw-payload-mb N     MB written by each raw baseline of a payload size (default 256)
              --history-runs 1000,100000
                                     the history-size scenario: list queries with this many
                                     finished runs stored, in ascending order (default those
                                     two; "none" skips it)
              --history-queries N    measured GETs of each list query per level (default 300)
              --jar PATH             the system to start (default standalone/target/agentflow.jar)
              --url URL --bootstrap-servers HOST:PORT [--pid PID]
                                     measure a running system instead of starting one
              --topic-prefix P       its topic prefix (default agentflow.)
              --out DIR              results directory (default bench/results)
              --jfr                  record a JFR profile of the started system into the results
              --system-arg ARG       pass ARG to the started system (repeatable), e.g.
                                     --system-arg=--agentflow.kafka.commit-interval-ms=10
              --api-key KEY          send Authorization: Bearer KEY (default $AGENTFLOW_API_KEY); a started
                                     system is configured to accept it, as admin
            """;

    static Settings parse(String... args) {
        String url = null;
        String bootstrap = null;
        Long pid = null;
        Path jar = Path.of("standalone", "target", "agentflow.jar");
        int runs = 2000;
        int warmup = 8000;
        List<Integer> concurrency = List.of(1, 4, 16, 64);
        int pauseRuns = 200;
        int rawRecords = 200_000;
        String prefix = "agentflow.";
        Path out = Path.of("bench", "results");
        boolean jfr = false;
        String apiKey = System.getenv("AGENTFLOW_API_KEY");
        List<String> systemArgs = new ArrayList<>();
        List<Integer> payloadBytes = List.of(200, 4096, 65536, 1048576);
        int payloadRuns = 1000;
        int payloadMegabytes = 600;
        int payloadClients = 64;
        long rawPayloadBytes = 256L * 1_000_000;
        List<Integer> historyRuns = List.of(1000, 100_000);
        int historyQueries = 300;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--jfr")) {
                jfr = true;
                continue;
            }
            if (name.startsWith("--system-arg=")) {
                systemArgs.add(name.substring("--system-arg=".length()));
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--url" -> url = value.replaceAll("/+$", "");
                case "--bootstrap-servers" -> bootstrap = value;
                case "--pid" -> pid = Long.parseLong(value);
                case "--jar" -> jar = Path.of(value);
                case "--runs" -> runs = positive(name, value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--concurrency" -> concurrency = parseList(value);
                case "--pause-runs" -> pauseRuns = Integer.parseInt(value);
                case "--raw-records" -> rawRecords = positive(name, value);
                case "--topic-prefix" -> prefix = value;
                case "--out" -> out = Path.of(value);
                case "--system-arg" -> systemArgs.add(value);
                case "--payload-bytes" -> payloadBytes = value.equals("none") ? List.of() : parseList(value);
                case "--payload-runs" -> payloadRuns = positive(name, value);
                case "--payload-clients" -> payloadClients = positive(name, value);
                case "--raw-payload-mb" -> rawPayloadBytes = positive(name, value) * 1_000_000L;
                case "--payload-mb" -> payloadMegabytes = positive(name, value);
                case "--history-runs" -> historyRuns = value.equals("none") ? List.of() : ascending(parseList(value));
                case "--history-queries" -> historyQueries = positive(name, value);
                case "--api-key" -> apiKey = value;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if ((url == null) != (bootstrap == null)) {
            throw new IllegalArgumentException("--url and --bootstrap-servers go together");
        }
        return new Settings(url, bootstrap, pid, jar, runs, warmup, concurrency, pauseRuns, rawRecords, prefix, out,
                jfr, List.copyOf(systemArgs), payloadBytes, payloadRuns, payloadClients, rawPayloadBytes,
                payloadMegabytes, historyRuns, historyQueries, apiKey == null || apiKey.isBlank() ? null : apiKey);
    }

    private static List<Integer> ascending(List<Integer> levels) {
        for (int i = 1; i < levels.size(); i++) {
            if (levels.get(i) <= levels.get(i - 1)) {
                throw new IllegalArgumentException("--history-runs must be ascending");
            }
        }
        return levels;
    }

    private static int positive(String name, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return n;
    }

    private static List<Integer> parseList(String value) {
        List<Integer> list = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).map(v -> positive("--concurrency", v)).forEach(list::add);
        return List.copyOf(list);
    }
}
