package dev.agentflow.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamsAppTest {

    private static final String CONFIGURED = "agentflow.projection-node-1-node-1";
    private static final String CURRENT = CONFIGURED + "-" + StreamsApp.fingerprint("topology v2");

    @Test
    void theMembersThisInstanceLeftUnderAnEarlierTopologyAreStale() {
        assertThat(StreamsApp.stale(CONFIGURED, CURRENT, CONFIGURED + "-1")).as("before fingerprints").isTrue();
        assertThat(StreamsApp.stale(CONFIGURED, CURRENT, CONFIGURED + "-" + StreamsApp.fingerprint("topology v1")
                + "-1")).isTrue();
    }

    @Test
    void theCurrentMemberAndOtherInstancesAreNot() {
        assertThat(StreamsApp.stale(CONFIGURED, CURRENT, CURRENT + "-1")).isFalse();
        assertThat(StreamsApp.stale(CONFIGURED, CURRENT, CONFIGURED + "0-1")).as("instance node-10").isFalse();
        assertThat(StreamsApp.stale(CONFIGURED, CURRENT, CONFIGURED + "-2-" + StreamsApp.fingerprint("x") + "-1"))
                .as("instance node-1-2").isFalse();
    }

    @Test
    void aFingerprintNamesTheTopologyInEightHexDigits() {
        assertThat(StreamsApp.fingerprint("a")).hasSize(8).matches("[0-9a-f]{8}")
                .isEqualTo(StreamsApp.fingerprint("a")).isNotEqualTo(StreamsApp.fingerprint("b"));
    }
}
