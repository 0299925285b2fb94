package dev.agentflow.projection.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ThresholdsTest {

    private final Thresholds<String> thresholds = new Thresholds<>();

    @Test
    void aWaiterCompletesOnceItsKeyReachesItsNumberAndNotBefore() {
        CompletableFuture<Void> five = thresholds.whenReached("a", 5, () -> 3);
        CompletableFuture<Void> seven = thresholds.whenReached("a", 7, () -> 3);
        CompletableFuture<Void> other = thresholds.whenReached("b", 1, () -> 0);

        thresholds.reached("a", 4);
        assertThat(five).isNotDone();
        thresholds.reached("a", 6);
        assertThat(five).isCompleted();
        assertThat(seven).isNotDone();
        assertThat(other).as("another key").isNotDone();
    }

    @Test
    void aNumberReachedBeforeTheWaiterRegisteredCompletesItAtOnce() {
        assertThat(thresholds.whenReached("a", 2, () -> 2)).isCompleted();
    }
}
