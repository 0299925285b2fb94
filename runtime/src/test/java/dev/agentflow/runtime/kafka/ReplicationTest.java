package dev.agentflow.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentflow.schemas.kafka.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ReplicationTest {

    @Test
    void theEmbeddedBrokerKeepsOneCopyUnlessTold() {
        assertThat(Replication.resolve(null, null, true, 1)).isEqualTo(new Replication(1, 1));
        assertThat(Replication.resolve(1, 1, true, 1)).isEqualTo(new Replication(1, 1));
    }

    @Test
    void anExternalClusterGetsThreeCopiesAndTwoInSync() {
        assertThat(Replication.resolve(null, null, false, 3)).isEqualTo(new Replication(3, 2));
        assertThat(Replication.resolve(null, null, false, 5)).isEqualTo(new Replication(3, 2));
    }

    @Test
    void aSmallerClusterGetsAsManyCopiesAsItHasBrokersAndStillAcceptsWritesWithOneDown() {
        assertThat(Replication.resolve(null, null, false, 2)).isEqualTo(new Replication(2, 1));
        assertThat(Replication.resolve(null, null, false, 1)).isEqualTo(new Replication(1, 1));
    }

    @Test
    void whatIsSetIsTakenAsItIs() {
        assertThat(Replication.resolve(3, 2, false, 1)).as("creation fails, naming the property")
                .isEqualTo(new Replication(3, 2));
        assertThat(Replication.resolve(5, null, false, 5)).isEqualTo(new Replication(5, 2));
        assertThat(Replication.resolve(null, 3, false, 3)).isEqualTo(new Replication(3, 3));
    }

    @Test
    void settingsThatRefuseEveryWriteAreRefused() {
        assertThatThrownBy(() -> Replication.resolve(2, 3, false, 3))
                .hasMessageContaining("agentflow.kafka.min-insync-replicas (3) must not exceed "
                        + "agentflow.kafka.replication-factor (2)");
        assertThatThrownBy(() -> Replication.resolve(0, null, false, 3))
                .hasMessageContaining("agentflow.kafka.replication-factor must be at least 1");
        assertThatThrownBy(() -> Replication.resolve(null, 0, false, 3))
                .hasMessageContaining("agentflow.kafka.min-insync-replicas must be at least 1");
    }

    @Test
    void startUpStopsWithWhatIsWrongAndWhatToSetNotAStackTrace() {
        ReplicationException refused = catchThrowableOfType(ReplicationException.class,
                () -> Replication.resolve(1, 2, true, 1));
        var analysis = new ReplicationFailureAnalyzer().analyze(new IllegalStateException("wrapped", refused));
        assertThat(analysis.getDescription()).contains("min-insync-replicas (2) must not exceed");
        assertThat(analysis.getAction()).contains("agentflow.kafka.replication-factor")
                .contains("docs/operations.md#replication");
    }

    @Test
    void kafkaStreamsInternalTopicsGetTheSameReplication() {
        KafkaSettings settings = new KafkaSettings("localhost:9092", Topics.defaults(), Path.of("state"), 20, "node-1",
                Map.of(), new Replication(3, 2));
        Properties p = StreamsApp.properties("run-decider", settings, StreamsApp.Guarantee.EXACTLY_ONCE);
        assertThat(p.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
        assertThat(p.get(StreamsConfig.topicPrefix("min.insync.replicas"))).isEqualTo("2");
    }
}
