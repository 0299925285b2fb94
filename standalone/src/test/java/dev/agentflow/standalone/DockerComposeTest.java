package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.config.AgentflowProperties;
import dev.agentflow.web.security.SecurityProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.yml}, read as Docker Compose reads it (YAML merge keys, {@code ${VAR:-default}}),
 * checked without Docker: three KRaft brokers replicating every topic three times with two in sync,
 * two instances of each service with their own ids and volumes, health checks, and every variable
 * given to the services bound by the code's own property classes, as Spring Boot binds them.
 */
class DockerComposeTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?[-?]([^}]*))?}");
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void threeBrokersReplicateEveryTopicThreeTimesWithTwoInSync() {
        Map<String, Map<String, String>> brokers = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            if (String.valueOf(service.get("image")).startsWith("apache/kafka:")) {
                brokers.put(name, environment(service));
            }
        });
        assertThat(brokers).hasSize(3);
        assertThat(brokers.values()).extracting(e -> e.get("KAFKA_NODE_ID")).containsExactlyInAnyOrder("1", "2", "3");
        List<String> voters = new ArrayList<>();
        brokers.forEach((name, env) -> voters.add(env.get("KAFKA_NODE_ID") + "@" + name + ":9093"));
        brokers.forEach((name, env) -> {
            assertThat(env).as(name)
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")
                    .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + name + ":9092")
                    .containsKey("CLUSTER_ID");
            assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",")).as(name)
                    .containsExactlyInAnyOrderElementsOf(voters);
            assertThat(volumes(services.get(name))).as(name).anyMatch(v -> v.endsWith(":/var/lib/kafka/data"));
            assertThat(services.get(name)).as(name).containsKey("healthcheck");
        });
        assertThat(brokers.values().stream().map(e -> e.get("CLUSTER_ID")).distinct()).as("one cluster").hasSize(1);
    }

    @Test
    void twoInstancesOfEachServiceEachWithItsOwnIdAndVolume() {
        Map<String, List<String>> byService = new HashMap<>();
        List<String> ids = new ArrayList<>();
        List<String> volumes = new ArrayList<>();
        engineServices().forEach((name, service) -> {
            Map<String, String> env = environment(service);
            byService.computeIfAbsent(env.get("AGENTFLOW_SERVICES"), s -> new ArrayList<>()).add(name);
            ids.add(env.get("AGENTFLOW_INSTANCE_ID"));
            List<String> data = volumes(service).stream().filter(v -> v.endsWith(":/data")).toList();
            assertThat(data).as(name).hasSize(1);
            volumes.add(data.get(0));
            assertThat(volumes(service)).as(name).contains("./standalone/target/agentflow.jar:/app/agentflow.jar:ro");
            assertThat(service).as(name).containsKey("healthcheck");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service.get("depends_on");
            assertThat(dependsOn).as(name).containsOnlyKeys("kafka-1", "kafka-2", "kafka-3")
                    .allSatisfy((broker, condition) -> assertThat(condition)
                            .containsEntry("condition", "service_healthy"));
        });
        assertThat(byService).containsOnlyKeys("command-api", "projection-service", "step-processor")
                .allSatisfy((service, instances) -> assertThat(instances).as(service).hasSize(2));
        assertThat(ids).doesNotHaveDuplicates().hasSize(6);
        assertThat(volumes).doesNotHaveDuplicates();
    }

    @Test
    void everyVariableOfTheServicesIsOneTheCodeReads() throws IOException {
        String applicationYml;
        try (InputStream in = getClass().getResourceAsStream("/application.yml")) {
            applicationYml = new String(Objects.requireNonNull(in).readAllBytes());
        }
        engineServices().forEach((name, service) -> {
            Map<String, String> env = environment(service);
            Binder binder = binder(env);
            AgentflowProperties props = binder.bind("agentflow", Bindable.of(AgentflowProperties.class)).get();
            assertThat(props.kafka().bootstrapServers()).as(name).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
            assertThat(props.kafka().replicationFactor()).as(name).isEqualTo(3);
            assertThat(props.kafka().minInsyncReplicas()).as(name).isEqualTo(2);
            assertThat(props.instanceId()).as(name).isEqualTo(env.get("AGENTFLOW_INSTANCE_ID")).isEqualTo(name);
            assertThat(props.dataDir()).as(name).isEqualTo(Path.of("/data"));
            SecurityProperties security = binder.bind("agentflow.security", Bindable.of(SecurityProperties.class)).get();
            assertThat(security.apiKeys()).as(name).singleElement().satisfies(key -> {
                assertThat(key.name()).isEqualTo("admin");
                assertThat(key.roles()).containsExactly("admin");
            });
            for (String variable : env.keySet()) {
                if (variable.startsWith("AGENTFLOW_") && !applicationYml.contains("${" + variable + ":")) {
                    Map<String, String> without = new HashMap<>(env);
                    without.remove(variable);
                    assertThat(bound(binder(without))).as(name + ": " + variable + " changes what the code binds")
                            .isNotEqualTo(bound(binder));
                } else if (variable.startsWith("SERVER_")) {
                    assertThat(binder.bind("server.address", InetAddress.class).isBound()).as(variable).isTrue();
                } else {
                    assertThat(applicationYml).as(name + ": " + variable + " is read by application.yml")
                            .contains("${" + variable + ":");
                }
            }
        });
    }

    /** What the code binds from these variables: the properties, the security settings and the services to run. */
    private static List<Object> bound(Binder binder) {
        List<Object> bound = new ArrayList<>();
        bound.add(binder.bind("agentflow", Bindable.of(AgentflowProperties.class)).orElse(null));
        try {
            bound.add(binder.bind("agentflow.security", Bindable.of(SecurityProperties.class)).orElse(null));
        } catch (RuntimeException e) {
            bound.add(e.getClass());
        }
        bound.add(binder.bind("agentflow.services", String.class).orElse(null));
        return bound;
    }

    private static Binder binder(Map<String, String> env) {
        return new Binder(ConfigurationPropertySources.from(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new HashMap<>(env))));
    }

    private static Map<String, Map<String, Object>> engineServices() {
        return services.entrySet().stream()
                .filter(e -> String.valueOf(e.getValue().get("command")).contains("agentflow.jar"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** A service's environment as Compose passes it: values as text, {@code ${VAR:-default}} resolved. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        ((Map<String, Object>) service.get("environment")).forEach((k, v) -> env.put(k, interpolate(String.valueOf(v))));
        return env;
    }

    /** {@code ${VAR:-default}} gives its default, {@code ${VAR:?message}} a value a user would export. */
    private static String interpolate(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(0).contains(":?") ? "sha256:" + "0".repeat(64)
                    : m.group(2) == null ? "" : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(Map<String, Object> service) {
        return (List<String>) service.getOrDefault("volumes", List.of());
    }
}
