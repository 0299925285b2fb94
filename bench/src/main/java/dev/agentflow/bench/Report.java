package dev.agentflow.bench;

import dev.agentflow.schemas.json.Json;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** The benchmark's results as JSON, a markdown table and a PNG plot. */
final class Report {

    private final Map<String, Object> results;
    private final String markdown;
    private final List<Path> written;

    private Report(Map<String, Object> results, String markdown, List<Path> written) {
        this.results = results;
        this.markdown = markdown;
        this.written = written;
    }

    Map<String, Object> results() {
        return results;
    }

    String markdown() {
        return markdown;
    }

    List<Path> written() {
        return written;
    }

    static Report write(Map<String, Object> results, Path dir, String stamp) throws IOException {
        Path json = dir.resolve(stamp + ".json");
        Path md = dir.resolve(stamp + ".md");
        Path png = dir.resolve(stamp + ".png");
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        String markdown = markdown(results, stamp);
        Files.writeString(md, markdown);
        ImageIO.write(plot(levels(results)), "png", png.toFile());
        return new Report(results, markdown, List.of(json, md, png));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> levels(Map<String, Object> results) {
        return (List<Map<String, Object>>) results.getOrDefault("levels", List.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static double num(Map<String, Object> m, String... path) {
        Object v = m;
        for (String key : path) {
            v = v == null ? null : map(v).get(key);
        }
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(double v) {
        if (Double.isNaN(v) || v < 0) {
            return "–";
        }
        return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    static String markdown(Map<String, Object> results, String stamp) {
        StringBuilder s = new StringBuilder();
        Map<String, Object> machine = map(results.get("machine"));
        Map<String, Object> raw = map(results.get("rawKafka"));
        s.append("## agentflow benchmark ").append(stamp).append("\n\n");
        s.append("Machine: ").append(machine.get("cores")).append(" cores, ").append(machine.get("cpu")).append(", ")
                .append(machine.get("memoryGiB")).append(" GiB, ").append(machine.get("java")).append(".  \n");
        s.append("Raw Kafka on the same broker (").append(raw.get("recordBytes")).append("-byte records, acks=all): ")
                .append(fmt(num(raw, "producedPerSecond"))).append(" records/s produced, ")
                .append(fmt(num(raw, "transactionalProducedPerSecond")))
                .append(" records/s produced in transactions committed every ")
                .append(raw.get("transactionCommitIntervalMs")).append(" ms, ")
                .append(fmt(num(raw, "consumedPerSecond"))).append(" records/s consumed (read_committed).\n\n");
        s.append("Three-step `echo` runs of 200-byte inputs through the HTTP API; latencies in ms: the run request's "
                + "202 (first response), completion seen by a read_committed consumer (e2e) and by a GET (API).\n\n");
        s.append("| clients | runs/s | steps/s | e2e p50 | e2e p95 | e2e p99 | API p50 | API p99 | step overhead p50 "
                + "| p95 | p99 | 202 p50 | 202 p99 | engine records/s | vs raw | records/step | log bytes/step "
                + "| CPU cores | RSS MiB | failed |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> l : levels(results)) {
            s.append("| ").append(fmt(num(l, "clients")))
                    .append(" | ").append(fmt(num(l, "runsPerSecond")))
                    .append(" | ").append(fmt(num(l, "stepsPerSecond")))
                    .append(" | ").append(fmt(num(l, "endToEndMs", "p50")))
                    .append(" | ").append(fmt(num(l, "endToEndMs", "p95")))
                    .append(" | ").append(fmt(num(l, "endToEndMs", "p99")))
                    .append(" | ").append(fmt(num(l, "completedSeenByApiMs", "p50")))
                    .append(" | ").append(fmt(num(l, "completedSeenByApiMs", "p99")))
                    .append(" | ").append(fmt(num(l, "stepOverheadMs", "p50")))
                    .append(" | ").append(fmt(num(l, "stepOverheadMs", "p95")))
                    .append(" | ").append(fmt(num(l, "stepOverheadMs", "p99")))
                    .append(" | ").append(fmt(num(l, "runApiMs", "p50")))
                    .append(" | ").append(fmt(num(l, "runApiMs", "p99")))
                    .append(" | ").append(fmt(num(l, "engineRecordsPerSecond")))
                    .append(" | ").append(fmt(Math.round(num(l, "ratioToRawProduce") * 100))).append("%")
                    .append(" | ").append(fmt(num(l, "recordsPerStep")))
                    .append(" | ").append(fmt(num(l, "logBytesPerStep")))
                    .append(" | ").append(fmt(num(l, "cpuCores")))
                    .append(" | ").append(fmt(num(l, "rssMiB")))
                    .append(" | ").append(fmt(num(l, "failed"))).append(" |\n");
        }
        s.append("\nWhere the time goes (p50 / p99 ms, from record timestamps): StartRun written → RunStarted decided; "
                + "agent request written → its result written; last result → RunCompleted decided; "
                + "RunCompleted decided → read by a read_committed consumer.\n\n");
        s.append("| clients | start | request → result | last result → completed | completed → visible |\n");
        s.append("|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> l : levels(results)) {
            s.append("| ").append(fmt(num(l, "clients")));
            for (String hop : List.of("startToStartedMs", "requestToResultMs", "lastResultToCompletedMs",
                    "completedToVisibleMs")) {
                s.append(" | ").append(fmt(num(l, "hopsMs", hop, "p50"))).append(" / ")
                        .append(fmt(num(l, "hopsMs", hop, "p99")));
            }
            s.append(" |\n");
        }
        s.append("\nCreate workflow API: p50 ").append(fmt(num(results, "createWorkflowApiMs", "p50")))
                .append(" ms, p99 ").append(fmt(num(results, "createWorkflowApiMs", "p99"))).append(" ms.");
        if (results.get("idempotentStart") != null) {
            Map<String, Object> i = map(results.get("idempotentStart"));
            s.append("\nIdempotent start (").append(i.get("starts")).append(" of each, 1 client, interleaved): run API"
                    + " p50 / p99 without a key ").append(fmt(num(i, "withoutKeyMs", "p50"))).append(" / ")
                    .append(fmt(num(i, "withoutKeyMs", "p99"))).append(" ms, with a new key ")
                    .append(fmt(num(i, "withNewKeyMs", "p50"))).append(" / ").append(fmt(num(i, "withNewKeyMs", "p99")))
                    .append(" ms, with a repeated key ").append(fmt(num(i, "withRepeatedKeyMs", "p50"))).append(" / ")
                    .append(fmt(num(i, "withRepeatedKeyMs", "p99"))).append(" ms; a new key adds ")
                    .append(fmt(num(i, "newKeyOverheadP50Ms"))).append(" ms at p50.");
        }
        if (results.get("pauseResume") != null) {
            Map<String, Object> p = map(results.get("pauseResume"));
            s.append(" Pause/resume (").append(p.get("runs")).append(" runs paused at step 2, ")
                    .append(p.get("clients")).append(" clients): resume API p50 ")
                    .append(fmt(num(p, "resumeApiMs", "p50"))).append(" / p99 ")
                    .append(fmt(num(p, "resumeApiMs", "p99"))).append(" ms; resume → next step started p50 ")
                    .append(fmt(num(p, "resumeToNextStepStartedMs", "p50"))).append(" / p95 ")
                    .append(fmt(num(p, "resumeToNextStepStartedMs", "p95"))).append(" / p99 ")
                    .append(fmt(num(p, "resumeToNextStepStartedMs", "p99"))).append(" ms; failed ")
                    .append(p.get("failed")).append(".");
        }
        s.append("\n\n").append(targets(results));
        payloads(s, results);
        history(s, results);
        return s.toString();
    }

    /** The payload sweep: the engine's MB/s beside raw Kafka's with records of the same size. */
    @SuppressWarnings("unchecked")
    private static void payloads(StringBuilder s, Map<String, Object> results) {
        List<Map<String, Object>> payloads = (List<Map<String, Object>>) results.get("payloads");
        if (payloads == null || payloads.isEmpty()) {
            return;
        }
        s.append("\nPayload sizes: runs of three `template` steps (`{{input}}`) whose input has the size, so every ")
                .append("step writes a new payload of that size; ")
                .append("MB = 10^6 bytes, engine MB/s = steps/s × size. Raw Kafka: records of the same size ")
                .append("produced (acks=all) then consumed, on the same broker just after.\n\n");
        s.append("| payload bytes | clients | steps/s | engine MB/s | e2e p50 ms | e2e p99 ms | raw produce MB/s "
                + "| raw consume MB/s | engine vs raw produce | failed |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> p : payloads) {
            Map<String, Object> rawKafka = map(p.get("rawKafka"));
            s.append("| ").append(fmt(num(p, "payloadBytes")))
                    .append(" | ").append(fmt(num(p, "clients")))
                    .append(" | ").append(fmt(num(p, "stepsPerSecond")))
                    .append(" | ").append(fmt(num(p, "engineMBPerSecond")))
                    .append(" | ").append(fmt(num(p, "endToEndMs", "p50")))
                    .append(" | ").append(fmt(num(p, "endToEndMs", "p99")))
                    .append(" | ").append(fmt(num(rawKafka, "producedMBPerSecond")))
                    .append(" | ").append(fmt(num(rawKafka, "consumedMBPerSecond")))
                    .append(" | ").append(fmt(Math.round(num(p, "ratioToRawProduceMB") * 100))).append("%")
                    .append(" | ").append(fmt(num(p, "failed"))).append(" |\n");
        }
        payloads.stream().filter(p -> num(p, "payloadBytes") == 65536).findFirst().ifPresent(p -> {
            double ratio = Math.round(num(p, "ratioToRawProduceMB") * 100);
            s.append("\n| target | measured | met |\n|---|---:|---|\n");
            row(s, "engine MB/s ≥ 30% of raw Kafka's at 64 KiB payloads (%)", ratio, ratio >= 30);
        });
    }

    /** The history-size scenario: both list queries at each number of finished runs stored. */
    @SuppressWarnings("unchecked")
    private static void history(StringBuilder s, Map<String, Object> results) {
        Map<String, Object> history = (Map<String, Object>) results.get("history");
        if (history == null) {
            return;
        }
        List<Map<String, Object>> levels = (List<Map<String, Object>>) history.get("levels");
        s.append("\nHistory size: `GET /api/v1/workflows/runs?status=PAUSED&size=").append(history.get("pageSize"))
                .append("` (").append(history.get("pausedRuns")).append(" paused runs) and `GET /api/v1/workflows/")
                .append("{id}/runs?size=").append(history.get("pageSize")).append("` (the workflow of every finished ")
                .append("run), ").append(history.get("queries")).append(" sequential GETs each, ms.\n\n");
        s.append("| finished runs stored | PAUSED p50 | p95 | p99 | workflow's runs p50 | p95 | p99 |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> level : levels) {
            s.append("| ").append(fmt(num(level, "finishedRuns")));
            for (String query : List.of("pausedQueryMs", "workflowRunsQueryMs")) {
                for (String p : List.of("p50", "p95", "p99")) {
                    s.append(" | ").append(String.format(Locale.ROOT, "%.2f", num(level, query, p)));
                }
            }
            s.append(" |\n");
        }
        if (levels.size() > 1) {
            Map<String, Object> first = levels.get(0);
            Map<String, Object> last = levels.get(levels.size() - 1);
            s.append("\n| target | measured | met |\n|---|---:|---|\n");
            for (String query : List.of("pausedQueryMs", "workflowRunsQueryMs")) {
                for (String p : List.of("p50", "p99")) {
                    double ratio = Math.round(num(last, query, p) / num(first, query, p) * 100) / 100.0;
                    row(s, query.replace("QueryMs", "") + " " + p + " with " + fmt(num(last, "finishedRuns"))
                            + " runs ≤ 1.5× with " + fmt(num(first, "finishedRuns")) + " (×)", ratio, ratio <= 1.5);
                }
            }
        }
    }

    /** The targets against this run: light load is 1–4 clients, peak the best steps/s. */
    private static String targets(Map<String, Object> results) {
        List<Map<String, Object>> levels = levels(results);
        if (levels.isEmpty()) {
            return "";
        }
        Map<String, Object> peak = levels.stream().max((a, b) -> Double.compare(num(a, "stepsPerSecond"),
                num(b, "stepsPerSecond"))).orElseThrow();
        List<Map<String, Object>> light = levels.stream().filter(l -> num(l, "clients") <= 4).toList();
        List<Map<String, Object>> one = levels.stream().filter(l -> num(l, "clients") == 1).toList();
        double apiP50 = worst(light, "runApiMs", "p50");
        double apiP99 = worst(light, "runApiMs", "p99");
        double e2eP50 = worst(one, "endToEndMs", "p50");
        double e2eP99 = worst(one, "endToEndMs", "p99");
        double seenP50 = worst(one, "completedSeenByApiMs", "p50");
        double seenP99 = worst(one, "completedSeenByApiMs", "p99");
        double share = num(peak, "stepsPerSecondVsRawProducePercent");
        double records = levels.stream().mapToDouble(l -> num(l, "recordsPerStep")).max().orElse(Double.NaN);
        double bytes = levels.stream().mapToDouble(l -> num(l, "logBytesPerStep")).max().orElse(Double.NaN);
        double rss = levels.stream().mapToDouble(l -> num(l, "rssMiB")).max().orElse(Double.NaN);
        StringBuilder s = new StringBuilder("| target | measured | met |\n|---|---:|---|\n");
        row(s, "run request (202) p50 ≤ 5 ms (1–4 clients, worst)", apiP50, apiP50 <= 5);
        row(s, "run request (202) p99 ≤ 20 ms (1–4 clients, worst)", apiP99, apiP99 <= 20);
        row(s, "run end to end p50 ≤ 15 ms, read_committed consumer (1 client)", e2eP50, e2eP50 <= 15);
        row(s, "run end to end p99 ≤ 40 ms, read_committed consumer (1 client)", e2eP99, e2eP99 <= 40);
        row(s, "run end to end p50 ≤ 15 ms, GET (1 client)", seenP50, seenP50 <= 15);
        row(s, "run end to end p99 ≤ 40 ms, GET (1 client)", seenP99, seenP99 <= 40);
        row(s, "peak steps/s ≥ 1.7% of raw acks=all records/s (%)", share, share >= 1.7);
        row(s, "records per step ≤ 8 (worst level)", records, records <= 8);
        row(s, "log bytes per step ≤ 6 KB (worst level)", bytes, bytes <= 6000);
        row(s, "whole-system RSS ≤ 1.2 GB (MiB, worst level)", rss, rss <= 1.2e9 / (1 << 20));
        return s.toString();
    }

    private static double worst(List<Map<String, Object>> levels, String figure, String percentile) {
        return levels.stream().mapToDouble(l -> num(l, figure, percentile)).max().orElse(Double.NaN);
    }

    private static void row(StringBuilder s, String target, double measured, boolean met) {
        s.append("| ").append(target).append(" | ").append(fmt(measured)).append(" | ")
                .append(Double.isNaN(measured) ? "–" : met ? "yes" : "no").append(" |\n");
    }

    /** End-to-end and step-overhead percentiles against concurrency. */
    static BufferedImage plot(List<Map<String, Object>> levels) {
        int width = 900;
        int height = 520;
        int left = 70;
        int right = 190;
        int top = 40;
        int bottom = 60;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("agentflow: latency percentiles against concurrent clients (ms)", left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String[][] series = {
                {"endToEndMs", "p50", "run e2e p50"}, {"endToEndMs", "p95", "run e2e p95"},
                {"endToEndMs", "p99", "run e2e p99"}, {"stepOverheadMs", "p50", "step overhead p50"},
                {"stepOverheadMs", "p99", "step overhead p99"}, {"runApiMs", "p50", "run API p50"}};
        Color[] colors = {new Color(0x1f77b4), new Color(0x6baed6), new Color(0x08306b), new Color(0xd62728),
                new Color(0xff9896), new Color(0x2ca02c)};
        double max = 1;
        for (Map<String, Object> l : levels) {
            for (String[] s : series) {
                double v = num(l, s[0], s[1]);
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        max *= 1.1;
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        g.drawLine(left, top, left, top + plotH);
        g.drawLine(left, top + plotH, left + plotW, top + plotH);
        for (int i = 0; i <= 5; i++) {
            int y = top + plotH - i * plotH / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, left + plotW, y);
            g.setColor(Color.BLACK);
            g.drawString(fmt(Math.round(max * i / 5)), 10, y + 4);
        }
        int n = levels.size();
        for (int i = 0; i < n; i++) {
            int x = left + (n == 1 ? plotW / 2 : i * plotW / (n - 1));
            g.drawString(fmt(num(levels.get(i), "clients")), x - 5, top + plotH + 18);
        }
        g.drawString("concurrent clients", left + plotW / 2 - 50, top + plotH + 45);
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.length; s++) {
            g.setColor(colors[s]);
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < n; i++) {
                double v = num(levels.get(i), series[s][0], series[s][1]);
                if (Double.isNaN(v) || v < 0) {
                    prevX = -1;
                    continue;
                }
                int x = left + (n == 1 ? plotW / 2 : i * plotW / (n - 1));
                int y = top + plotH - (int) (v / max * plotH);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, x, y);
                }
                prevX = x;
                prevY = y;
            }
            g.drawLine(width - right + 15, top + 10 + s * 20, width - right + 40, top + 10 + s * 20);
            g.setColor(Color.BLACK);
            g.drawString(series[s][2], width - right + 45, top + 14 + s * 20);
        }
        g.dispose();
        return image;
    }
}
