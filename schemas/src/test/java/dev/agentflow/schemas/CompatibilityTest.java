package dev.agentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.TypeRegistry;
import dev.agentflow.schemas.kafka.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Events already on the topics stay readable. {@code golden/v<N>/<topic>/<Type>.json} holds an
 * event as schema version N of its type wrote it, and is never edited: the current code must read
 * every such file, the current JSON Schema of the type must accept it while the type is still at
 * version N (only optional fields may be added), and every type must have its version-1 file.
 * A breaking change is a new schema version with an upcaster, never an edit of these files.
 */
class CompatibilityTest {

    private static final Map<String, TypeRegistry<?>> TOPICS = Map.of(
            "workflow-events", Topics.WORKFLOW_EVENTS, "run-events", Topics.RUN_EVENTS);
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static Stream<Arguments> releasedEvents() throws IOException {
        Path golden = resourceDir("/golden");
        try (Stream<Path> files = Files.walk(golden)) {
            return files.filter(f -> f.toString().endsWith(".json"))
                    .map(golden::relativize)
                    .filter(f -> f.getNameCount() == 3 && f.getName(0).toString().matches("v\\d+"))
                    .map(f -> Arguments.of(Integer.parseInt(f.getName(0).toString().substring(1)),
                            f.getName(1).toString(), f.getFileName().toString().replace(".json", "")))
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "v{0}/{1}/{2}")
    @MethodSource("releasedEvents")
    <E> void theCurrentCodeReadsEveryReleasedEvent(int schemaVersion, String topic, String type) {
        @SuppressWarnings("unchecked")
        TypeRegistry<E> registry = (TypeRegistry<E>) TOPICS.get(topic);
        assertThat(registry).as("a known topic").isNotNull();
        assertThat(registry.names()).as("a type once released is never removed").contains(type);

        EventEnvelope<E> event = EnvelopeSerde.events(registry)
                .deserialize(topic, bytes("/golden/v" + schemaVersion + "/" + topic + "/" + type + ".json"));

        assertThat(event.type()).isEqualTo(type);
        assertThat(event.schemaVersion()).isEqualTo(schemaVersion);
        assertThat(event.data()).isInstanceOf(registry.classOf(type));
    }

    /** A renamed or dropped field would read as null, and be written without its value: caught here. */
    @ParameterizedTest(name = "v{0}/{1}/{2}")
    @MethodSource("releasedEvents")
    <E> void everyFieldOfAReleasedEventSurvivesARoundTrip(int schemaVersion, String topic, String type) {
        String golden = "/golden/v" + schemaVersion + "/" + topic + "/" + type + ".json";
        JsonNode typeSchema = tree("/schema/" + topic + "/" + type + ".schema.json");
        if (!acceptedVersions(typeSchema).contains(schemaVersion)) {
            return; // an older version is upcast on reading: its fields are not expected to stay as they were
        }
        @SuppressWarnings("unchecked")
        EnvelopeSerde<E, EventEnvelope<E>> serde = EnvelopeSerde.events((TypeRegistry<E>) TOPICS.get(topic));

        byte[] written = serde.serialize(topic, serde.deserialize(topic, bytes(golden)));

        assertSurvives("", tree(golden), Json.mapper().readTree(written));
    }

    /** Every non-null value of {@code golden} is in {@code now}, at the same place; fields added since may be there too. */
    private static void assertSurvives(String path, JsonNode golden, JsonNode now) {
        assertThat(now).as("%s is written", path.isEmpty() ? "/" : path).isNotNull();
        if (golden.isObject()) {
            golden.properties().stream().filter(field -> !field.getValue().isNull()).forEach(field ->
                    assertSurvives(path + "/" + field.getKey(), field.getValue(), now.get(field.getKey())));
        } else if (golden.isArray()) {
            assertThat(now.size()).as("%s has as many elements", path).isEqualTo(golden.size());
            for (int i = 0; i < golden.size(); i++) {
                assertSurvives(path + "/" + i, golden.get(i), now.get(i));
            }
        } else {
            assertThat(now.toString()).as(path).isEqualTo(golden.toString());
        }
    }

    @ParameterizedTest(name = "v{0}/{1}/{2}")
    @MethodSource("releasedEvents")
    void theCurrentSchemasAcceptEveryReleasedEventOfTheirVersion(int schemaVersion, String topic, String type) {
        JsonNode event = tree("/golden/v" + schemaVersion + "/" + topic + "/" + type + ".json");
        JsonNode typeSchema = tree("/schema/" + topic + "/" + type + ".schema.json");

        assertThat(schema("/schema/envelope.schema.json").validate(event)).isEmpty();
        if (acceptedVersions(typeSchema).contains(schemaVersion)) {
            assertThat(schema("/schema/" + topic + "/" + type + ".schema.json").validate(event)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentTypes")
    void everyTypeHasItsVersion1GoldenFileAndSchema(String topic, String type) {
        assertThat(CompatibilityTest.class.getResource("/golden/v1/" + topic + "/" + type + ".json"))
                .as("golden/v1/" + topic + "/" + type + ".json").isNotNull();
        assertThat(CompatibilityTest.class.getResource("/schema/" + topic + "/" + type + ".schema.json"))
                .as("schema/" + topic + "/" + type + ".schema.json").isNotNull();
    }

    static Stream<Arguments> currentTypes() {
        return TOPICS.entrySet().stream()
                .flatMap(t -> t.getValue().names().stream().map(name -> Arguments.of(t.getKey(), name)));
    }

    @Test
    void theSchemasRejectAnEventWithoutARequiredField() {
        ObjectNode event = (ObjectNode) tree("/golden/v1/run-events/StepCompleted.json");
        ((ObjectNode) event.get("data")).remove("output");
        event.put("schemaVersion", "1");

        assertThat(schema("/schema/run-events/StepCompleted.schema.json").validate(event))
                .extracting(e -> e.getInstanceLocation().toString())
                .contains("/data", "/schemaVersion");
        assertThat(schema("/schema/envelope.schema.json").validate(event)).isNotEmpty();
    }

    /**
     * The schema versions the current schema of a type describes: its {@code const}, or its
     * {@code enum} when the current shape also describes the older versions' events (a type whose
     * payloads may travel by reference is written as version 1 while they are inline).
     */
    static java.util.Set<Integer> acceptedVersions(JsonNode typeSchema) {
        JsonNode version = typeSchema.path("properties").path("schemaVersion");
        java.util.Set<Integer> versions = new java.util.TreeSet<>();
        if (version.has("const")) {
            versions.add(version.get("const").asInt());
        }
        version.path("enum").forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    @Test
    void aVersion2EventNeedsItsReferenceAndAVersion1EventItsString() {
        ObjectNode v2 = (ObjectNode) tree("/golden/v2/run-events/StepCompleted.json");
        ObjectNode v1 = (ObjectNode) tree("/golden/v1/run-events/StepCompleted.json");
        ObjectNode refAsV1 = v2.deepCopy();
        refAsV1.put("schemaVersion", 1);
        ObjectNode brokenRef = v2.deepCopy();
        ((ObjectNode) brokenRef.get("data").get("output")).remove("sha256");

        Schema schema = schema("/schema/run-events/StepCompleted.schema.json");
        assertThat(schema.validate(v1)).isEmpty();
        assertThat(schema.validate(v2)).isEmpty();
        assertThat(schema.validate(refAsV1)).isNotEmpty();
        assertThat(schema.validate(brokenRef)).isNotEmpty();
    }

    private static Schema schema(String resource) {
        try (InputStream in = CompatibilityTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return SCHEMAS.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(String resource) {
        return Json.mapper().readTree(bytes(resource));
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = CompatibilityTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resourceDir(String resource) {
        try {
            return Path.of(CompatibilityTest.class.getResource(resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
