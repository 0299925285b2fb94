package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    @Test
    void callsBeyondTheLimitWaitForAFreeSlotInOrder() {
        ConcurrencyLimit limit = new ConcurrencyLimit(2);
        List<CompletableFuture<Integer>> started = new ArrayList<>();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(limit.run(() -> {
                CompletableFuture<Integer> call = new CompletableFuture<>();
                started.add(call);
                return call;
            }));
        }
        assertThat(started).hasSize(2);

        started.get(1).complete(1);
        assertThat(results.get(1)).isCompletedWithValue(1);
        assertThat(started).hasSize(3);

        started.get(0).completeExceptionally(new IllegalStateException("boom"));
        assertThat(results.get(0)).isCompletedExceptionally();
        assertThat(started).as("a failure frees its slot too").hasSize(4);

        started.get(2).complete(2);
        started.get(3).complete(3);
        assertThat(results.get(3)).isCompletedWithValue(3);
        assertThat(limit.run(() -> CompletableFuture.completedFuture(9))).isCompletedWithValue(9);
    }

    @Test
    void aLongQueueOfCallsThatCompleteAtOnceDrainsWithoutGrowingTheStack() {
        ConcurrencyLimit limit = new ConcurrencyLimit(1);
        CompletableFuture<Integer> first = new CompletableFuture<>();
        limit.run(() -> first);
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int value = i;
            queued.add(limit.run(() -> CompletableFuture.completedFuture(value)));
        }

        first.complete(-1);

        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i)).isCompletedWithValue(i);
        }
        CompletableFuture<Integer> next = new CompletableFuture<>();
        List<CompletableFuture<Integer>> started = new ArrayList<>();
        limit.run(() -> {
            started.add(next);
            return next;
        });
        assertThat(started).as("the slot was not lost").hasSize(1);
    }
}
