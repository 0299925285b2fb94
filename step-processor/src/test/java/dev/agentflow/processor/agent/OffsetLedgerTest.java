package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("agent-requests", 0);
    private static final TopicPartition P1 = new TopicPartition("agent-requests", 1);
    private final OffsetLedger ledger = new OffsetLedger();

    @Test
    void commitsOnlyPastTheLongestPrefixOfAnsweredRequests() {
        for (long offset = 10; offset <= 13; offset++) {
            ledger.read(P0, offset);
        }
        ledger.answered(P0, 11);
        ledger.answered(P0, 13);
        assertThat(ledger.committable()).as("10 is still in flight").isEmpty();

        ledger.answered(P0, 10);
        assertThat(ledger.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(12)));
        assertThat(ledger.committable()).as("taken out once committed").isEmpty();

        ledger.answered(P0, 12);
        assertThat(ledger.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(14)));
    }

    @Test
    void partitionsAreCommittedApartAndAForgottenOneNotAtAll() {
        ledger.read(P0, 5);
        ledger.read(P1, 7);
        ledger.read(P1, 8);
        ledger.answered(P1, 7);
        ledger.answered(P0, 5);
        assertThat(ledger.committable()).containsOnly(Map.entry(P0, new OffsetAndMetadata(6)),
                Map.entry(P1, new OffsetAndMetadata(8)));

        ledger.forget(List.of(P1));
        ledger.answered(P1, 8);
        assertThat(ledger.committable()).as("a revoked partition resumes from its last commit elsewhere").isEmpty();
    }

    @Test
    void anAnswerForAnOffsetNeverReadHereIsIgnored() {
        ledger.read(P0, 1);
        ledger.answered(P0, 99);
        assertThat(ledger.committable()).isEmpty();
    }
}
