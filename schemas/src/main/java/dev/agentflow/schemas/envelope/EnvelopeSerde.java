package dev.agentflow.schemas.envelope;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.TypeRegistry;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

/**
 * Serde of an envelope whose {@code data} is one of a sealed family: {@code type} selects the
 * payload's class through the family's {@link TypeRegistry}, so the payload carries no type field.
 */
public final class EnvelopeSerde<P, E extends Envelope<P, E>> implements Serde<E>, Serializer<E>, Deserializer<E> {

    private final Class<?> envelopeClass;
    private final TypeRegistry<P> registry;
    /** The envelope with its data of each type name of the family, made once per name. */
    private final Map<String, JavaType> typed = new ConcurrentHashMap<>();

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
            if (!tree.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonNode data = tree.get("data");
            if (data == null || data.isNull()) {
                return (E) Json.mapper().treeToValue(tree, envelopeClass);
            }
            // one conversion of the tree, with data read as the class its type names (no copy)
            JsonNode type = tree.get("type");
            if (type == null || !type.isString()) {
                throw new IllegalArgumentException("an envelope with data needs its type");
            }
            String name = type.asString();
            JavaType envelope = typed.get(name);
            if (envelope == null) {
                Class<? extends P> dataClass = registry.classOf(name); // an unknown name is refused, never kept
                envelope = Json.mapper().getTypeFactory().constructParametricType(envelopeClass, dataClass);
                typed.put(name, envelope);
            }
            return (E) Json.mapper().treeToValue(tree, envelope);
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
