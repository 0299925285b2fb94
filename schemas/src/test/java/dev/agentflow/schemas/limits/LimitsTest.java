package dev.agentflow.schemas.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void theDefaultsKeepEveryRecordUnderKafkasDefaultSize() {
        assertThat(Limits.DEFAULTS.largestRecordBytes())
                .isLessThanOrEqualTo(Limits.KAFKA_DEFAULT_RECORD_BYTES - Limits.RECORD_HEADROOM_BYTES);
        assertThat(Limits.DEFAULTS.maxPayloadBytes()).isEqualTo(33_554_432L);
        assertThat(Limits.DEFAULTS.largestRecordBytes()).isEqualTo(631_408);
    }

    @Test
    void theEarlierStepsThatTravelTakeOnlyTheRoomTheOtherTermsLeave() {
        assertThat(Limits.DEFAULTS.earlierStepsBytes()).isEqualTo(Limits.MAX_EARLIER_STEPS_BYTES);
        assertThat(Limits.DEFAULTS.earlierStepsCarried()).isEqualTo(41);
        Limits bigDefinition = new Limits(1 << 25, 1024, 512 * 1024, 100, 900 * 1024);
        assertThat(bigDefinition.earlierStepsCarried()).isBetween(0, 3);
        assertThat(bigDefinition.largestRecordBytes())
                .isLessThanOrEqualTo(Limits.KAFKA_DEFAULT_RECORD_BYTES - Limits.RECORD_HEADROOM_BYTES);
    }

    @Test
    void limitsThatCouldWriteATooLargeRecordAreRefused() {
        assertThatThrownBy(() -> new Limits(1 << 25, 64 * 1024, 512 * 1024, 100, 900 * 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a record could take");
        assertThatThrownBy(() -> new Limits(0, 100, 100, 0, 10))
                .hasMessageContaining("max-payload-bytes").hasMessageContaining("payload-chunk-bytes")
                .hasMessageContaining("max-steps").hasMessageContaining("max-definition-bytes");
    }

    @Test
    void theTooLargeSentenceNamesTheLimitAndItsProperty() {
        assertThat(Limits.DEFAULTS.tooLarge("output of step 2 (agent template)", 40_000_392L)).isEqualTo(
                "output of step 2 (agent template) is 40000392 bytes, over the limit of 33554432 bytes"
                        + " (agentflow.limits.max-payload-bytes)");
    }

    @Test
    void errorsAreCut() {
        assertThat(Limits.cutError("x".repeat(5000))).hasSize(Limits.MAX_ERROR_CHARS);
        assertThat(Limits.cutError("short")).isEqualTo("short");
        assertThat(Limits.cutError(null)).isNull();
    }
}
