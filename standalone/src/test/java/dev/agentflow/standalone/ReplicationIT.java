package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.Replication;
import dev.agentflow.runtime.kafka.TopicAdmin;
import dev.agentflow.schemas.kafka.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The replication of the engine's topics, on the shared single broker: what is created, what is checked. */
class ReplicationIT {

    @Test
    void topicsAreCreatedWithTheReplicationAndExistingOnesAreComparedNotChanged() throws Exception {
        String prefix = SharedBroker.topicPrefix("replication");
        Topics topics = new Topics(prefix, 1);
        try (Admin admin = Admin.create(KafkaSettings.client(SharedBroker.bootstrapServers(), Map.of()))) {
            assertThat(Replication.brokers(admin)).isEqualTo(1);
            TopicAdmin.ensureTopics(admin, topics.all(), new Replication(1, 1));
            String events = topics.runEvents().name();
            assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, events))).all()
                    .get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value())
                    .isEqualTo("1");
            assertThat(TopicAdmin.checkReplication(admin, Set.of(prefix), new Replication(1, 1))).isEmpty();

            List<String> differences = TopicAdmin.checkReplication(admin, Set.of(prefix), new Replication(3, 2));
            assertThat(differences).hasSize(2);
            assertThat(differences.get(0)).contains(events).contains("have replication factor 1, not the 3 of "
                    + "agentflow.kafka.replication-factor: left as they are");
            assertThat(differences.get(1)).contains(events).contains("have min.insync.replicas 1, not the 2 of "
                    + "agentflow.kafka.min-insync-replicas");
            assertThat(admin.describeTopics(Set.of(events)).allTopicNames().get(30, TimeUnit.SECONDS).get(events)
                    .partitions().get(0).replicas()).as("nothing changed").hasSize(1);
        }
    }

    @Test
    void aFactorAboveTheBrokersFailsNamingTheProperty() {
        Topics topics = new Topics(SharedBroker.topicPrefix("replication-3"), 1);
        try (Admin admin = Admin.create(KafkaSettings.client(SharedBroker.bootstrapServers(), Map.of()))) {
            assertThatThrownBy(() -> TopicAdmin.ensureTopics(admin, topics.all(), new Replication(3, 2)))
                    .hasMessageContaining("replication factor 3, min.insync.replicas 2 "
                            + "(agentflow.kafka.replication-factor)")
                    .hasMessageContaining("only 1 broker");
        }
    }
}
