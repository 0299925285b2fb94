package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.kafka.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs each service's principal needs on a secured cluster, least privilege: it may
 * write only the topics it is the writer of (only the step processor writes run-events, only the
 * command API writes workflow-events), read only what it reads, and own its Kafka Streams
 * applications' internal topics, groups and transactional ids. {@code docs/security.md} lists them;
 * {@code java -jar agentflow.jar kafka-acls} prints them as {@code kafka-acls.sh} commands.
 */
public final class ServiceAcls {

    /** A service, by the name {@code agentflow.services} gives it. */
    public enum Service {
        COMMAND_API("command-api"), PROJECTION_SERVICE("projection-service"), STEP_PROCESSOR("step-processor");

        private final String id;

        Service(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Service of(String id) {
            return Arrays.stream(values()).filter(s -> s.id.equals(id.trim().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Not a service: '" + id
                            + "' (command-api, projection-service, step-processor)"));
        }
    }

    private ServiceAcls() {
    }

    /** The ACLs of {@code principal} ({@code User:name}) running {@code service}, from any host. */
    public static List<AclBinding> of(Service service, Topics topics, String principal) {
        Set<AclBinding> acls = new LinkedHashSet<>();
        Grants grants = new Grants(principal, acls);
        // Every service creates any engine topic that is missing when it starts, and reads their metadata
        // and settings (to compare their replication with agentflow.kafka.replication-factor).
        topics.all().forEach(t -> grants.topic(t.name(), AclOperation.CREATE, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS));
        grants.topic(topics.deadLetters().name(), AclOperation.WRITE);
        switch (service) {
            case COMMAND_API -> {
                // The workflow decider (exactly-once) and the command gateway.
                grants.streamsApp(topics.applicationId("workflow-decider"), false);
                grants.topic(topics.workflowCommands().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.workflowEvents().name(), AclOperation.WRITE);
                grants.topic(topics.runCommands().name(), AclOperation.WRITE);
                grants.topic(topics.commandReplies().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.payloads().name(), AclOperation.READ, AclOperation.WRITE);
                // The command API answers reads from the views: it runs the projection too.
                projection(topics, grants);
            }
            case PROJECTION_SERVICE -> projection(topics, grants);
            case STEP_PROCESSOR -> {
                // The run decider (exactly-once), the session store of each instance, the agent workers.
                grants.streamsApp(topics.applicationId("run-decider"), false);
                grants.streamsApp(topics.applicationId("sessions-"), true);
                grants.topic(topics.runCommands().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.runEvents().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.agentRequests().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.commandReplies().name(), AclOperation.WRITE);
                grants.topic(topics.payloads().name(), AclOperation.READ, AclOperation.WRITE);
                grants.topic(topics.runDeltas().name(), AclOperation.WRITE);
                grants.group(topics.applicationId("agent-workers"), PatternType.LITERAL);
            }
            default -> throw new IllegalStateException("Unhandled service " + service);
        }
        return List.copyOf(acls);
    }

    /**
     * The views of each instance: its own Kafka Streams application reading both event topics, and
     * run-commands for the runs written but not yet started.
     */
    private static void projection(Topics topics, Grants grants) {
        grants.streamsApp(topics.applicationId("projection-"), true);
        grants.topic(topics.workflowEvents().name(), AclOperation.READ);
        grants.topic(topics.runEvents().name(), AclOperation.READ);
        grants.topic(topics.runCommands().name(), AclOperation.READ);
        grants.topic(topics.payloads().name(), AclOperation.READ);
        grants.topic(topics.runDeltas().name(), AclOperation.READ);
    }

    /** The ACLs as the {@code kafka-acls.sh} commands that create them, one per resource. */
    public static List<String> commands(List<AclBinding> acls, String bootstrap) {
        List<String> lines = new ArrayList<>();
        String principal = acls.isEmpty() ? "" : acls.get(0).entry().principal();
        byResource(acls).forEach((resource, operations) -> lines.add("kafka-acls.sh --bootstrap-server " + bootstrap
                + " --command-config admin.properties --add --allow-principal " + principal
                + operations.stream().map(o -> " --operation " + name(o)).collect(Collectors.joining())
                + " --" + resource.resourceType().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + " '" + resource.name() + "'"
                + (resource.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "")));
        return lines;
    }

    /** The ACLs as the rows of a Markdown table: resource type, name (or prefix), operations. */
    public static List<String> table(List<AclBinding> acls) {
        List<String> rows = new ArrayList<>(List.of("| resource | name | operations |", "| --- | --- | --- |"));
        byResource(acls).forEach((resource, operations) -> rows.add("| " + name(resource.resourceType().name())
                + " | `" + resource.name() + "`" + (resource.patternType() == PatternType.PREFIXED ? " (prefix)" : "")
                + " | " + operations.stream().map(ServiceAcls::name).collect(Collectors.joining(", ")) + " |"));
        return rows;
    }

    private static Map<ResourcePattern, List<AclOperation>> byResource(List<AclBinding> acls) {
        Map<ResourcePattern, List<AclOperation>> grouped = new LinkedHashMap<>();
        acls.forEach(acl -> grouped.computeIfAbsent(acl.pattern(), r -> new ArrayList<>()).add(acl.entry().operation()));
        grouped.values().forEach(operations -> operations.sort(Comparator.naturalOrder()));
        return grouped;
    }

    private static String name(AclOperation operation) {
        return name(operation.name());
    }

    private static String name(String constant) {
        StringBuilder out = new StringBuilder();
        for (String part : constant.toLowerCase(Locale.ROOT).split("_")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }

    private record Grants(String principal, Set<AclBinding> acls) {

        void topic(String name, AclOperation... operations) {
            add(new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), operations);
        }

        void group(String name, PatternType pattern) {
            add(new ResourcePattern(ResourceType.GROUP, name, pattern), AclOperation.READ);
        }

        /**
         * A Kafka Streams application: its internal topics (changelogs, repartition topics), its
         * group and, under exactly-once, its transactional ids all start with its application id.
         *
         * @param perInstance the id ends with the instance id: every instance's is granted by prefix
         */
        void streamsApp(String applicationId, boolean perInstance) {
            add(new ResourcePattern(ResourceType.TOPIC, perInstance ? applicationId : applicationId + "-",
                    PatternType.PREFIXED), AclOperation.ALL);
            group(applicationId, perInstance ? PatternType.PREFIXED : PatternType.LITERAL);
            add(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED),
                    AclOperation.WRITE, AclOperation.DESCRIBE);
        }

        private void add(ResourcePattern resource, AclOperation... operations) {
            for (AclOperation operation : operations) {
                acls.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation,
                        AclPermissionType.ALLOW)));
            }
        }
    }
}
