package dev.agentflow.schemas.envelope;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.TypeRegistry;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serde of an envelope whose {@code data} is one of a sealed family: {@code type} selects the
 * payload's class through the family's {@link TypeRegistry}, so the payload carries no type field.
 */
public final class EnvelopeSerde<P, E extends Envelope<P, E>> implements Serde<E>, Serializer<E>, Deserializer<E> {

    private final Class<?> envelopeClass;
    private final TypeRegistry<P> registry;

    private EnvelopeSerde(Class<?> envelopeClass, TypeRegistry<P> registry) {
        this.envelopeClass = envelopeClass;
        this.registry = registry;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <P> EnvelopeSerde<P, EventEnvelope<P>> events(TypeRegistry<P> registry) {
        return new EnvelopeSerde(EventEnvelope.class, registry);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <P> EnvelopeSerde<P, CommandEnvelope<P>> commands(TypeRegistry<P> registry) {
        return new EnvelopeSerde(CommandEnvelope.class, registry);
    }

    public TypeRegistry<P> registry() {
        return registry;
    }

    @Override
    public byte[] serialize(String topic, E envelope) {
        if (envelope == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsBytes(envelope);
        } catch (JacksonException e) {
            throw new SerializationException("Cannot write " + envelope.type() + " to " + topic, e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public E deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(bytes);
            JsonNode data = node.remove("data");
            E envelope = (E) Json.mapper().treeToValue(node, envelopeClass);
            P payload = data == null || data.isNull()
                    ? null
                    : Json.mapper().treeToValue(data, registry.classOf(envelope.type()));
            return envelope.withData(payload);
        } catch (JacksonException | ClassCastException | IllegalArgumentException e) {
            throw new SerializationException("Cannot read " + registry.family().getSimpleName()
                    + " envelope from " + topic, e);
        }
    }

    @Override
    public Serializer<E> serializer() {
        return this;
    }

    @Override
    public Deserializer<E> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // stateless
    }
}
