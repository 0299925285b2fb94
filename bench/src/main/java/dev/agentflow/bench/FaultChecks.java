package dev.agentflow.bench;

import dev.agentflow.bench.FaultHarness.Fault;
import dev.agentflow.bench.FaultHarness.Finished;
import dev.agentflow.bench.FaultHarness.Started;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.run.RunEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import tools.jackson.databind.JsonNode;

/**
 * What the fault harness checks after each scenario, from outside the system: the runs' statuses
 * and outputs through the API, the events on the event topic, the invocations the counting agent
 * saw, the views of every instance; and the table it prints.
 */
final class FaultChecks {

    private final CountingAgent agent;
    private final List<SystemInstance> instances;
    private final String bootstrapServers;

    FaultChecks(CountingAgent agent, List<SystemInstance> instances, String bootstrapServers) {
        this.agent = agent;
        this.instances = instances;
        this.bootstrapServers = bootstrapServers;
    }

    Map<String, Object> check(String name, String description, String workflowId, FaultHarness.Load load,
                              Map<String, Finished> finished, Set<Integer> slowSteps,
                              Function<Started, String> expectedOutput, List<Fault> faults) throws Exception {
        List<Started> started = List.copyOf(load.started);
        Map<String, Started> byRun = new HashMap<>();
        Map<String, Set<String>> runsByKey = new HashMap<>();
        for (Started s : started) {
            byRun.put(s.runId(), s);
            runsByKey.computeIfAbsent(s.key(), k -> new HashSet<>()).add(s.runId());
        }
        int completed = 0;
        int wrong = 0;
        int lost = 0;
        Stats latency = new Stats();
        for (Started s : started) {
            Finished f = finished.get(s.runId());
            if (f == null) {
                lost++;
                Bench.log(name + ": run " + s.runId() + " (" + s.key() + ") did not finish");
            } else if ("COMPLETED".equals(f.status()) && expectedOutput.apply(s).equals(f.output())) {
                completed++;
                latency.add(Math.max(0, f.completedAt() - s.ackAt()));
            } else {
                wrong++;
                Bench.log(name + ": run " + s.runId() + " ended " + f.status() + " with " + f.output());
            }
        }
        // the runs of the workflow, as each instance lists them: one per key, none more
        List<Long> listed = new ArrayList<>();
        for (SystemInstance instance : instances) {
            listed.add(instance.api().call("GET", "/api/v1/workflows/" + workflowId + "/runs?page=0&size=1", null,
                    null).json().path("totalElements").asLong());
        }
        long extraRuns = listed.stream().mapToLong(l -> l - started.size()).max().orElse(0)
                + runsByKey.values().stream().mapToInt(ids -> ids.size() - 1).sum();

        // one StepCompleted per step and attempt, as the event topic has them
        Map<String, Integer> stepCompletions = new HashMap<>();
        Map<String, Integer> runCompletions = new HashMap<>();
        readRunEvents(byRun.keySet(), (envelope) -> {
            if (envelope.data() instanceof RunEvent.StepCompleted c) {
                stepCompletions.merge(CountingAgent.key(c.runId(), c.stepOrder(), c.attempt()), 1, Integer::sum);
            } else if (envelope.data() instanceof RunEvent.RunCompleted c) {
                runCompletions.merge(c.runId(), 1, Integer::sum);
            }
        });
        long stepsTwice = stepCompletions.values().stream().filter(n -> n > 1).count()
                + runCompletions.values().stream().filter(n -> n > 1).count();

        // every request of the delay agent invoked, more than once only within a fault's window
        int notInvoked = 0;
        int duplicates = 0;
        int duplicatesOutside = 0;
        List<Fault> windows = List.copyOf(faults);
        windows.forEach(f -> f.recoveredAt = recoveredAt(f, started, finished));
        for (String step : stepCompletions.keySet()) {
            String[] parts = step.split("\\|");
            if (!slowSteps.contains(Integer.parseInt(parts[1]))) {
                continue;
            }
            List<Long> calls = agent.calls(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            if (calls.isEmpty()) {
                notInvoked++;
            }
            for (long call : calls.subList(Math.min(1, calls.size()), calls.size())) {
                duplicates++;
                if (windows.stream().noneMatch(f -> call >= f.at - 1_000 && call <= f.recoveredAt + 1_000)) {
                    duplicatesOutside++;
                    Bench.log(name + ": " + step + " invoked again at " + Instant.ofEpochMilli(call)
                            + ", outside every fault's window");
                }
            }
        }
        int viewsDiffering = compareViews(started);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scenario", name);
        row.put("description", description);
        row.put("runsStarted", started.size());
        row.put("failedStarts", load.failedStarts.get());
        row.put("startRetries", load.retries.get());
        row.put("completed", completed);
        row.put("lost", lost);
        row.put("wrongStatusOrOutput", wrong);
        row.put("extraRuns", extraRuns);
        row.put("listedByInstance", listed);
        row.put("stepsCompletedTwice", stepsTwice);
        row.put("agentRequestsNotInvoked", notInvoked);
        row.put("duplicateInvocations", duplicates);
        row.put("duplicateInvocationsOutsideFaultWindows", duplicatesOutside);
        row.put("instancesWithDifferentViews", viewsDiffering);
        row.put("runLatencyMs", latency.summary());
        List<Map<String, Object>> faultRows = new ArrayList<>();
        double recovery = 0;
        for (Fault f : windows) {
            Map<String, Object> fr = new LinkedHashMap<>();
            fr.put("fault", f.what);
            fr.put("at", Instant.ofEpochMilli(f.at).toString());
            fr.put("downSeconds", FaultHarness.round(f.downMs / 1000.0));
            fr.put("recoverySeconds", FaultHarness.round((f.recoveredAt - f.at) / 1000.0));
            fr.putAll(f.details);
            faultRows.add(fr);
            recovery = Math.max(recovery, (f.recoveredAt - f.at) / 1000.0);
        }
        row.put("faults", faultRows);
        row.put("recoverySeconds", FaultHarness.round(recovery));
        boolean passed = started.size() == load.runs && load.failedStarts.get() == 0 && lost == 0 && wrong == 0
                && extraRuns == 0 && stepsTwice == 0 && notInvoked == 0 && duplicatesOutside == 0
                && viewsDiffering == 0;
        row.put("passed", passed);
        Bench.log(name + ": " + row);
        return row;
    }

    /**
     * When the runs a fault caught were done: the latest end of a run acknowledged before the fault and
     * still going at it (or the fault's own end, for a part down longer than that).
     */
    private static long recoveredAt(Fault fault, List<Started> started, Map<String, Finished> finished) {
        long latest = fault.at;
        for (Started s : started) {
            Finished f = finished.get(s.runId());
            if (f != null && s.ackAt() <= fault.at && f.completedAt() > fault.at) {
                latest = Math.max(latest, f.completedAt());
            }
        }
        return latest;
    }

    /** Reads the run-events topic whole (read_committed) and hands over the events of {@code runs}. */
    private void readRunEvents(Set<String> runs,
                               Consumer<EventEnvelope<RunEvent>> each) {
        var deserializer = EnvelopeSerde.events(Topics.RUN_EVENTS).deserializer();
        String topic = Topics.defaults().runEvents().name();
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 120_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    EventEnvelope<RunEvent> envelope;
                    try {
                        envelope = deserializer.deserialize(topic, record.value());
                    } catch (RuntimeException e) {
                        continue;
                    }
                    if (envelope != null && runs.contains(envelope.aggregateId())) {
                        each.accept(envelope);
                    }
                }
            }
        }
    }

    /** How many runs some instance shows differently from the first, once the views had 30 s to agree. */
    private int compareViews(List<Started> runs) {
        long deadline = System.currentTimeMillis() + 30_000;
        List<Started> differing = new ArrayList<>(runs);
        while (true) {
            differing.removeIf(this::sameOnEveryInstance);
            if (differing.isEmpty() || System.currentTimeMillis() > deadline) {
                differing.stream().limit(5).forEach(this::logDifference);
                return differing.size();
            }
            BrokerCluster.sleep(500);
        }
    }

    private boolean sameOnEveryInstance(Started run) {
        try {
            JsonNode first = null;
            for (SystemInstance instance : instances) {
                Api.Response r = instance.api().call("GET", "/api/v1/workflows/runs/" + run.runId(), null, null);
                if (r.status() != 200) {
                    return false;
                }
                if (first == null) {
                    first = r.json();
                } else if (!first.equals(r.json())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where the instances' details of a run differ, field by field, in the harness's log. */
    private void logDifference(Started run) {
        List<JsonNode> views = new ArrayList<>();
        for (SystemInstance instance : instances) {
            try {
                views.add(instance.api().call("GET", "/api/v1/workflows/runs/" + run.runId(), null, null).json());
            } catch (IOException | RuntimeException e) {
                views.add(null);
            }
        }
        List<String> paths = new ArrayList<>();
        for (int i = 1; i < views.size(); i++) {
            differences("", views.get(0), views.get(i), paths);
        }
        Bench.log("run " + run.runId() + " differs between instances at " + paths);
    }

    private static void differences(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a == null || b == null || a.getNodeType() != b.getNodeType() || !(a.isObject() || a.isArray())) {
            if (a == null || !a.equals(b)) {
                out.add(path + ": " + a + " / " + b);
            }
            return;
        }
        Set<String> names = new java.util.TreeSet<>();
        if (a.isObject()) {
            names.addAll(a.propertyNames());
            names.addAll(b.propertyNames());
            for (String name : names) {
                differences(path + "." + name, a.get(name), b.get(name), out);
            }
        } else {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                differences(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        }
    }

    static String markdown(Map<String, Object> results) {
        StringBuilder md = new StringBuilder();
        md.append("| scenario | runs started | completed | lost | steps completed twice | duplicate agent invocations"
                + " (outside fault windows) | views differing | recovery s | faults |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) results.get("scenarios");
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> faults = (List<Map<String, Object>>) row.get("faults");
            md.append("| ").append(row.get("scenario"))
                    .append(" | ").append(row.get("runsStarted"))
                    .append(" | ").append(row.get("completed"))
                    .append(" | ").append(row.get("lost"))
                    .append(" | ").append(row.get("stepsCompletedTwice"))
                    .append(" | ").append(row.get("duplicateInvocations")).append(" (")
                    .append(row.get("duplicateInvocationsOutsideFaultWindows")).append(")")
                    .append(" | ").append(row.get("instancesWithDifferentViews"))
                    .append(" | ").append(row.get("recoverySeconds"))
                    .append(" | ").append(faults.stream().map(f -> f.get("fault") + ", down "
                            + f.get("downSeconds") + " s, recovered in " + f.get("recoverySeconds") + " s")
                            .collect(Collectors.joining("; ")))
                    .append(" |\n");
        }
        if (results.get("reads") instanceof Map<?, ?> reads) {
            Map<?, ?> one = (Map<?, ?>) reads.get("oneInstance");
            Map<?, ?> all = (Map<?, ?>) reads.get("allInstances");
            md.append("\nReads (GET of a run's detail, 16 clients, 10 s): ").append(one.get("readsPerSecond"))
                    .append("/s through one instance (p99 ").append(one.get("p99Ms")).append(" ms, ")
                    .append(one.get("readsPerInstanceCpuSecond")).append(" reads per CPU second of it), ")
                    .append(all.get("readsPerSecond")).append("/s spread over ").append(all.get("instances"))
                    .append(" (p99 ").append(all.get("p99Ms")).append(" ms, ")
                    .append(all.get("readsPerInstanceCpuSecond")).append(" reads per CPU second of them).\n");
        }
        md.append("\nReplication: ").append(results.get("replication")).append("; largest resident memory (MiB): ")
                .append(results.get("maxRssMiB")).append(".\n");
        md.append(Boolean.TRUE.equals(results.get("passed")) ? "\nEvery check passed.\n" : "\nSOME CHECKS FAILED.\n");
        return md.toString();
    }
}
