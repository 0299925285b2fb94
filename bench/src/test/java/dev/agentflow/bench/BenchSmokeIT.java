package dev.agentflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the harness working: a small run of the whole benchmark against the packaged jar. It
 * checks that every run completed and every result was written, never how fast.
 */
class BenchSmokeIT {

    @Test
    @SuppressWarnings("unchecked")
    void smallSweepCompletesEveryRunAndWritesJsonMarkdownAndPng() throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/smoke-results"));
        String jar = System.getProperty("agentflow.jar", "../standalone/target/agentflow.jar");

        Report report = Bench.run(Settings.parse("--jar", jar, "--out", out.toString(), "--runs", "20",
                "--warmup", "10", "--concurrency", "1,4", "--pause-runs", "4", "--raw-records", "2000",
                "--payload-bytes", "200,65536", "--payload-runs", "6", "--payload-clients", "2",
                "--raw-payload-mb", "2", "--history-runs", "50,200", "--history-queries", "10"));

        assertThat(report.written()).hasSize(3).allSatisfy(p -> assertThat(Files.size(p)).isPositive());
        assertThat(report.written().get(2).toString()).endsWith(".png");
        Map<String, Object> results = report.results();
        assertThat(((Number) ((Map<String, Object>) results.get("rawKafka")).get("producedPerSecond")).longValue())
                .isPositive();
        List<Map<String, Object>> levels = (List<Map<String, Object>>) results.get("levels");
        assertThat(levels).extracting(l -> l.get("clients")).containsExactly(1, 4);
        assertThat(levels).allSatisfy(level -> {
            assertThat(level.get("completed")).isEqualTo(20);
            assertThat(level.get("failed")).isEqualTo(0);
            assertThat(((Map<String, Object>) level.get("stepOverheadMs")).get("count")).isEqualTo(40);
            assertThat(((Number) level.get("engineRecordsPerSecond")).longValue()).isPositive();
            assertThat(((Map<String, Object>) level.get("completedSeenByApiMs")).get("count")).isEqualTo(20);
            assertThat(((Number) level.get("recordsPerStep")).doubleValue()).isPositive();
            assertThat(((Number) level.get("logBytesPerStep")).longValue()).isPositive();
        });
        Map<String, Object> idempotent = (Map<String, Object>) results.get("idempotentStart");
        assertThat(idempotent.get("starts")).isEqualTo(20);
        for (String kind : List.of("withoutKeyMs", "withNewKeyMs", "withRepeatedKeyMs")) {
            assertThat(((Map<String, Object>) idempotent.get(kind)).get("count")).as(kind).isEqualTo(20);
        }
        assertThat(report.markdown()).contains("Idempotent start (20 of each");
        Map<String, Object> pause = (Map<String, Object>) results.get("pauseResume");
        assertThat(pause.get("failed")).isEqualTo(0);
        assertThat(((Map<String, Object>) pause.get("resumeToNextStepStartedMs")).get("count")).isEqualTo(4);
        assertThat(report.markdown()).contains("| clients | runs/s | steps/s").contains("| target | measured | met |");
        List<Map<String, Object>> payloads = (List<Map<String, Object>>) results.get("payloads");
        assertThat(payloads).extracting(p -> p.get("payloadBytes")).containsExactly(200, 65536);
        assertThat(payloads).allSatisfy(p -> {
            assertThat(p.get("completed")).isEqualTo(6);
            assertThat(p.get("failed")).isEqualTo(0);
            assertThat(((Number) ((Map<String, Object>) p.get("rawKafka")).get("producedMBPerSecond")).doubleValue())
                    .isPositive();
        });
        assertThat(report.markdown()).contains("| payload bytes | clients | steps/s | engine MB/s");
        List<Map<String, Object>> history = (List<Map<String, Object>>) ((Map<String, Object>) results
                .get("history")).get("levels");
        assertThat(history).extracting(h -> h.get("finishedRuns")).containsExactly(50L, 200L);
        assertThat(history).allSatisfy(h -> {
            assertThat(((Map<String, Object>) h.get("pausedQueryMs")).get("count")).isEqualTo(10);
            assertThat(((Map<String, Object>) h.get("workflowRunsQueryMs")).get("count")).isEqualTo(10);
        });
        assertThat(report.markdown()).contains("| finished runs stored | PAUSED p50");
    }
}
