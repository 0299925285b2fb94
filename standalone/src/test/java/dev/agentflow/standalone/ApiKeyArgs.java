package dev.agentflow.standalone;

import dev.agentflow.web.security.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The command-line settings that configure API keys ({@code agentflow.security.api-keys[i].…}) for a test's system. */
final class ApiKeyArgs {

    /** One key: its holder's name (the recorded actor is {@code key:<name>}), the key, its role. */
    record Key(String name, ApiKeys.NewKey key, String role) {
    }

    private ApiKeyArgs() {
    }

    /** The settings of {@code keys}, numbered from 0, followed by {@code more}. */
    static String[] with(List<Key> keys, String... more) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String prefix = "--agentflow.security.api-keys[" + i + "].";
            Key key = keys.get(i);
            args.addAll(List.of(prefix + "name=" + key.name(), prefix + "hash=" + key.key().hash(),
                    prefix + "roles=" + key.role()));
        }
        return Stream.concat(args.stream(), Stream.of(more)).toArray(String[]::new);
    }
}
