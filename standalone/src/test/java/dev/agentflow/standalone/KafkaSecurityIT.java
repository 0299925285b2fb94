package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.kafka.ServiceAcls;
import dev.agentflow.schemas.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The services against a secured cluster: a broker with a SASL/SCRAM listener and the standard
 * authorizer, each service under its own principal with exactly the ACLs {@link ServiceAcls} lists
 * (and {@code docs/security.md} shows). A workflow runs end to end; a principal without write ACLs on
 * run-events, and even the command API's, cannot write a forged event there.
 */
class KafkaSecurityIT {

    private static final List<String> USERS = List.of("admin", "commands", "steps", "stranger");
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        Path dir = Files.createTempDirectory("agentflow-secured-kafka");
        int port = Http.freePort();
        int controllerPort = Http.freePort();
        Properties p = EmbeddedKafkaBroker.properties(dir, port, controllerPort);
        p.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
        p.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256");
        p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", jaas("admin"));
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The broker itself (admin) and the in-process controller listener, which only this process reaches.
        p.put("super.users", "User:admin;User:ANONYMOUS");
        List<String> scram = new ArrayList<>();
        for (String user : USERS) {
            scram.addAll(List.of("--add-scram", "SCRAM-SHA-256=[name=" + user + ",password=" + password(user) + "]"));
        }
        broker = EmbeddedKafkaBroker.start(dir, p, "127.0.0.1:" + port, scram);
        Topics topics = new Topics(Topics.DEFAULT_PREFIX, Topics.DEFAULT_PARTITIONS);
        try (Admin admin = Admin.create(client("admin"))) {
            admin.createAcls(ServiceAcls.of(ServiceAcls.Service.COMMAND_API, topics, "User:commands")).all()
                    .get(30, TimeUnit.SECONDS);
            admin.createAcls(ServiceAcls.of(ServiceAcls.Service.STEP_PROCESSOR, topics, "User:steps")).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void eachServiceRunsUnderItsOwnPrincipalAndNoPrincipalWithoutTheAclWritesRunEvents() throws Exception {
        try (ConfigurableApplicationContext api = service("command-api", "commands", WebApplicationType.SERVLET);
             ConfigurableApplicationContext processor = service("step-processor", "steps", WebApplicationType.NONE)) {
            Runs runs = new Runs(new Http("http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port")));
            String workflow = runs.workflow("secured", List.of(Runs.step("template", "done: {{input}}"),
                    Runs.step("echo", "")));
            String runId = runs.start(workflow, "least privilege");

            assertThat(runs.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60)).get("output").asString())
                    .isEqualTo("done: least privilege");
        }

        String runEvents = Topics.DEFAULT_PREFIX + "run-events";
        assertThat(writeFails("stranger", runEvents)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeFails("commands", runEvents)).as("the command API's principal")
                .isInstanceOf(TopicAuthorizationException.class);
        Map<String, Object> wrongPassword = client("steps");
        wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"steps\" password=\"guess\";");
        assertThat(writeFails(wrongPassword, runEvents)).isInstanceOf(SaslAuthenticationException.class);
    }

    private static Throwable writeFails(String user, String topic) {
        return writeFails(client(user), topic);
    }

    /** What a forger's write of a RunCompleted fails with. */
    private static Throwable writeFails(Map<String, Object> client, String topic) {
        client.put("max.block.ms", "10000");
        client.put("delivery.timeout.ms", "15000");
        client.put("request.timeout.ms", "10000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(client, new StringSerializer(),
                new StringSerializer())) {
            try {
                producer.send(new ProducerRecord<>(topic, "wr-x", "{\"type\":\"RunCompleted\",\"data\":"
                        + "{\"runId\":\"wr-x\",\"output\":\"forged\"}}")).get(30, TimeUnit.SECONDS);
                throw new AssertionError("the forged write succeeded");
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (Exception e) {
                return e;
            }
        }
    }

    /** The service under {@code user}'s principal: its SASL settings as {@code agentflow.kafka.properties.*}. */
    private static ConfigurableApplicationContext service(String services, String user, WebApplicationType web)
            throws Exception {
        List<String> security = new ArrayList<>();
        client(user).forEach((name, value) -> {
            if (!name.equals("bootstrap.servers")) {
                security.add("--agentflow.kafka.properties." + name + "=" + value);
            }
        });
        return ServicesAloneIT.service(services, user + "-1", web, broker.bootstrapServers(),
                security.toArray(String[]::new));
    }

    private static Map<String, Object> client(String user) {
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", broker.bootstrapServers());
        client.put("security.protocol", "SASL_PLAINTEXT");
        client.put("sasl.mechanism", "SCRAM-SHA-256");
        client.put("sasl.jaas.config", jaas(user));
        return client;
    }

    private static String jaas(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password(user) + "\";";
    }

    private static String password(String user) {
        return user + "-secret-" + Integer.toHexString(user.hashCode());
    }
}
