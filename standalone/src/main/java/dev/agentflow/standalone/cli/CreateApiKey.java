package dev.agentflow.standalone.cli;

import dev.agentflow.web.security.ApiKeys;
import dev.agentflow.web.security.Role;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code create-api-key --name NAME --roles ROLE[,ROLE...]}: makes a new random API key and prints
 * it once, with the settings that accept it. Only the key's hash is configured; the key itself is
 * shown here and nowhere else.
 */
public final class CreateApiKey {

    static final String USAGE = """
            Usage: java -jar agentflow.jar create-api-key --name NAME --roles ROLE[,ROLE...]
              Prints a new API key (keep it secret: it is shown once) and the settings that accept it.
              --name    who the key is for: the actor the audit trail records (letters, digits, . _ @ -)
              --roles   viewer, operator, editor, admin (admin implies editor and operator; each implies viewer)
            Exit codes: 0 done, 2 bad options.""";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    private CreateApiKey() {
    }

    public static int run(String[] args) {
        return run(Arrays.asList(args), System.out, System.err);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String name = null;
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (i + 1 >= args.size() || !(flag.equals("--name") || flag.equals("--roles"))) {
                err.println((flag.startsWith("--") ? "Unknown option or missing value: " : "Unexpected argument: ")
                        + flag);
                err.println(USAGE);
                return 2;
            }
            String value = args.get(++i);
            if (flag.equals("--name")) {
                name = value;
            } else {
                for (String role : value.split(",")) {
                    if (Role.parse(role).isEmpty()) {
                        err.println("Not a role: '" + role.trim() + "' (viewer, operator, editor, admin)");
                        return 2;
                    }
                    roles.add(Role.parse(role).orElseThrow().name());
                }
            }
        }
        if (name == null || !NAME.matcher(name).matches() || roles.isEmpty()) {
            err.println(name == null || roles.isEmpty() ? "--name and --roles are required"
                    : "--name must be 1 to 100 letters, digits or . _ @ -");
            err.println(USAGE);
            return 2;
        }
        ApiKeys.NewKey key = ApiKeys.generate();
        out.println("API key for " + name + " (shown once; send it as Authorization: Bearer <key>):");
        out.println();
        out.println("  " + key.key());
        out.println();
        out.println("Configure its hash (application.yml under agentflow.security.api-keys, or the environment):");
        out.println();
        out.println("  - name: " + name);
        out.println("    hash: " + key.hash());
        out.println("    roles: [" + String.join(", ", roles) + "]");
        out.println();
        out.println("  AGENTFLOW_SECURITY_APIKEYS_0_NAME=" + name);
        out.println("  AGENTFLOW_SECURITY_APIKEYS_0_HASH=" + key.hash());
        out.println("  AGENTFLOW_SECURITY_APIKEYS_0_ROLES=" + String.join(",", roles));
        return 0;
    }
}
