package dev.agentflow.processor.run.topology;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/** The due time of each run's one pending timer, in memory: the earliest due first. Not thread-safe. */
final class Timers {

    /** A run's timer, due at {@code atMs}. */
    record Due(long atMs, String runId) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(atMs, other.atMs);
            return byTime != 0 ? byTime : runId.compareTo(other.runId);
        }
    }

    private final TreeSet<Due> byTime = new TreeSet<>();
    private final Map<String, Due> byRun = new HashMap<>();

    /** Sets the run's timer, replacing the one it had. */
    void set(String runId, long atMs) {
        remove(runId);
        Due due = new Due(atMs, runId);
        byTime.add(due);
        byRun.put(runId, due);
    }

    void remove(String runId) {
        Due due = byRun.remove(runId);
        if (due != null) {
            byTime.remove(due);
        }
    }

    /** Removes and returns the earliest timer due at or before {@code nowMs}; null when none is. */
    Due pollDue(long nowMs) {
        if (byTime.isEmpty() || byTime.first().atMs() > nowMs) {
            return null;
        }
        Due due = byTime.pollFirst();
        byRun.remove(due.runId());
        return due;
    }

    void clear() {
        byTime.clear();
        byRun.clear();
    }

    int size() {
        return byRun.size();
    }
}
