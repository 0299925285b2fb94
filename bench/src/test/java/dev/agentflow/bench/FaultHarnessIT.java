package dev.agentflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault harness's CI scenario against the packaged jar: three brokers as separate processes,
 * two instances of the system, 200 runs of {@code delay → delay → template} (10 started per second,
 * each delay 100 ms: as fast as the run's check allows, to fit the CI budget), the active controller
 * broker and then an instance killed with {@code kill -9} mid-load and started again. Every check the
 * harness makes must pass: no run lost, none started twice, one StepCompleted per step and attempt,
 * every agent request invoked (again only within a fault's window), the same views on both instances.
 */
class FaultHarnessIT {

    @Test
    @SuppressWarnings("unchecked")
    void aBrokerAndAnInstanceKilledMidLoadLoseNothingAndDoNothingTwice() throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/smoke-results"));
        String jar = System.getProperty("agentflow.jar", "../standalone/target/agentflow.jar");

        Map<String, Object> results = FaultHarness.run(FaultHarness.Options.parse("--jar", jar, "--out",
                out.toString(), "--scenarios", "ci", "--runs", "200", "--rate", "10", "--delay-ms", "100"));

        List<Map<String, Object>> rows = (List<Map<String, Object>>) results.get("scenarios");
        assertThat(rows).hasSize(1);
        Map<String, Object> ci = rows.get(0);
        assertThat(ci).containsEntry("runsStarted", 200).containsEntry("completed", 200).containsEntry("lost", 0)
                .containsEntry("failedStarts", 0).containsEntry("wrongStatusOrOutput", 0)
                .containsEntry("extraRuns", 0L).containsEntry("stepsCompletedTwice", 0L)
                .containsEntry("agentRequestsNotInvoked", 0)
                .containsEntry("duplicateInvocationsOutsideFaultWindows", 0)
                .containsEntry("instancesWithDifferentViews", 0).containsEntry("passed", true);
        List<Map<String, Object>> faults = (List<Map<String, Object>>) ci.get("faults");
        assertThat(faults).extracting(f -> (String) f.get("fault"))
                .satisfiesExactly(f -> assertThat(f).startsWith("kill -9 broker").contains("(active controller)"),
                        f -> assertThat(f).startsWith("kill -9 node-2"));
        assertThat(faults).allSatisfy(f -> assertThat(((Number) f.get("recoverySeconds")).doubleValue()).isPositive());
        Map<String, Object> replication = (Map<String, Object>) results.get("replication");
        assertThat(replication.get("minReplicationFactor")).as("every topic, changelogs too, on three brokers")
                .isEqualTo(3);
        assertThat(((Number) replication.get("changelogTopics")).intValue()).isPositive();
        assertThat(results).containsEntry("passed", true);
        assertThat((List<Path>) results.get("written")).hasSize(2)
                .allSatisfy(p -> assertThat(Files.size(p)).isPositive());
        assertThat((String) results.get("markdown")).contains("| ci | 200 | 200 | 0 | 0 |");
    }
}
