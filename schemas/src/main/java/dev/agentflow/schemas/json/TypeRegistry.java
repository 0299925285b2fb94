package dev.agentflow.schemas.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The stable type names of a sealed family of commands or events, read from the family's explicit
 * {@link JsonSubTypes} list. Envelopes carry the name in their {@code type} field; a Java class
 * name never travels.
 */
public final class TypeRegistry<T> {

    private final Class<T> family;
    private final Map<String, Class<? extends T>> byName = new LinkedHashMap<>();
    private final Map<Class<?>, String> byClass = new LinkedHashMap<>();

    private TypeRegistry(Class<T> family) {
        this.family = family;
        JsonSubTypes subTypes = family.getAnnotation(JsonSubTypes.class);
        if (subTypes == null) {
            throw new IllegalArgumentException(family + " has no @JsonSubTypes list");
        }
        for (JsonSubTypes.Type t : subTypes.value()) {
            if (!family.isAssignableFrom(t.value()) || t.name().isEmpty()) {
                throw new IllegalArgumentException("Bad subtype " + t.value() + " of " + family);
            }
            byName.put(t.name(), t.value().asSubclass(family));
            byClass.put(t.value(), t.name());
        }
    }

    public static <T> TypeRegistry<T> of(Class<T> family) {
        return new TypeRegistry<>(family);
    }

    public Class<T> family() {
        return family;
    }

    public String nameOf(T value) {
        String name = byClass.get(value.getClass());
        if (name == null) {
            throw new IllegalStateException("Unregistered " + family.getSimpleName() + ": " + value.getClass());
        }
        return name;
    }

    public Class<? extends T> classOf(String name) {
        Class<? extends T> type = byName.get(name);
        if (type == null) {
            throw new IllegalArgumentException("Unknown " + family.getSimpleName() + " type '" + name + "'");
        }
        return type;
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
