package dev.agentflow.standalone.cli;

import dev.agentflow.runtime.kafka.ServiceAcls;
import dev.agentflow.schemas.kafka.Topics;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code kafka-acls --service SERVICE --principal User:NAME}: prints the {@code kafka-acls.sh}
 * commands that give a service's principal the ACLs it needs on a secured cluster, and no more.
 */
public final class KafkaAcls {

    static final String USAGE = """
            Usage: java -jar agentflow.jar kafka-acls --service SERVICE --principal User:NAME
                                                      [--topic-prefix PREFIX] [--bootstrap-server HOST:PORT]
              Prints the kafka-acls.sh commands that grant the principal of one service what it needs
              (docs/security.md): command-api, projection-service or step-processor.
            Exit codes: 0 done, 2 bad options.""";

    private KafkaAcls() {
    }

    public static int run(String[] args) {
        return run(Arrays.asList(args), System.out, System.err);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String service = null;
        String principal = null;
        String prefix = Topics.DEFAULT_PREFIX;
        String bootstrap = "BROKER:9092";
        for (int i = 0; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                err.println(args.get(i) + " needs a value");
                err.println(USAGE);
                return 2;
            }
            String value = args.get(i + 1);
            switch (args.get(i)) {
                case "--service" -> service = value;
                case "--principal" -> principal = value;
                case "--topic-prefix" -> prefix = value;
                case "--bootstrap-server" -> bootstrap = value;
                default -> {
                    err.println("Unknown option '" + args.get(i) + "'");
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        if (service == null || principal == null || !principal.matches("User:[^\\s']+")) {
            err.println("--service and --principal User:NAME are required");
            err.println(USAGE);
            return 2;
        }
        try {
            ServiceAcls.Service which = ServiceAcls.Service.of(service);
            ServiceAcls.commands(ServiceAcls.of(which, new Topics(prefix, Topics.DEFAULT_PARTITIONS), principal),
                    bootstrap).forEach(out::println);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }
}
