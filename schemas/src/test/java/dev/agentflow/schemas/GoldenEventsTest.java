package dev.agentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.TypeRegistry;
import dev.agentflow.schemas.kafka.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The JSON contract with downstream consumers: every event type has a golden file and a JSON
 * Schema; the golden file reads into the Java type and writes back to the same JSON; the schema
 * names every field the golden data carries as required.
 */
class GoldenEventsTest {

    static Stream<Arguments> eventTypes() {
        return Stream.of(family("workflow-events", Topics.WORKFLOW_EVENTS),
                family("run-events", Topics.RUN_EVENTS)).flatMap(s -> s);
    }

    private static <E> Stream<Arguments> family(String folder, TypeRegistry<E> registry) {
        return registry.names().stream().map(name -> Arguments.of(folder, name, registry));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("eventTypes")
    <E> void goldenFileRoundTrips(String folder, String type, TypeRegistry<E> registry) throws IOException {
        byte[] golden = read("/golden/" + folder + "/" + type + ".json");
        EnvelopeSerde<E, EventEnvelope<E>> serde = EnvelopeSerde.events(registry);

        EventEnvelope<E> event = serde.deserialize("t", golden);

        assertThat(event.type()).isEqualTo(type);
        assertThat(event.data()).isInstanceOf(registry.classOf(type));
        assertThat(Json.mapper().readTree(serde.serialize("t", event))).isEqualTo(Json.mapper().readTree(golden));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("eventTypes")
    void schemaDescribesTheGoldenFile(String folder, String type) throws IOException {
        JsonNode schema = Json.mapper().readTree(read("/schema/" + folder + "/" + type + ".schema.json"));
        JsonNode golden = Json.mapper().readTree(read("/golden/" + folder + "/" + type + ".json"));

        assertThat(schema.path("properties").path("type").path("const").asString()).isEqualTo(type);
        assertThat(fieldNames(schema.path("properties"))).containsAll(fieldNames(golden));
        for (JsonNode required : schema.path("required")) {
            assertThat(golden.has(required.asString())).as("envelope field " + required).isTrue();
        }
        JsonNode dataSchema = schema.path("properties").path("data");
        assertThat(fieldNames(dataSchema.path("properties"))).containsAll(fieldNames(golden.path("data")));
        for (JsonNode required : dataSchema.path("required")) {
            assertThat(golden.path("data").has(required.asString())).as("data field " + required).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void everyPermittedSubtypeHasAStableName(TypeRegistry<?> registry) {
        Set<String> permitted = Arrays.stream(registry.family().getPermittedSubclasses())
                .map(Class::getName).collect(Collectors.toSet());
        Set<String> registered = registry.names().stream().map(n -> registry.classOf(n).getName())
                .collect(Collectors.toSet());
        assertThat(registered).isEqualTo(permitted);
    }

    static List<TypeRegistry<?>> families() {
        return List.of(Topics.WORKFLOW_EVENTS, Topics.WORKFLOW_COMMANDS, Topics.RUN_EVENTS, Topics.RUN_COMMANDS);
    }

    private static Set<String> fieldNames(JsonNode node) {
        return node.propertyNames().stream().collect(Collectors.toSet());
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = GoldenEventsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }
}
