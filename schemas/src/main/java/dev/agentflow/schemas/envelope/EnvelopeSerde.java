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
    public E deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return fromTree(topic, Json.mapper().readTree(bytes));
        } catch (JacksonException e) {
            throw new SerializationException("Cannot read " + registry.family().getSimpleName()
                    + " envelope from " + topic, e);
        }
    }

    /**
     * The envelope a parsed record holds, read as {@link #deserialize} reads it; the tree is left as
     * it is, for a reader that also keeps the record exactly as it was written.
     */
    @SuppressWarnings("unchecked")
    public E fromTree(String topic, JsonNode tree) {
        try {
            ObjectNode head = Json.mapper().createObjectNode();
            head.setAll((ObjectNode) tree);
            JsonNode data = head.remove("data");
            E envelope = (E) Json.mapper().treeToValue(head, envelopeClass);
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
