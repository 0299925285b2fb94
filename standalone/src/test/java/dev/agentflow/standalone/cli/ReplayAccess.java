package dev.agentflow.standalone.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code replay} as a test outside its package runs it: arguments in, exit code out, output captured. */
public final class ReplayAccess {

    private ReplayAccess() {
    }

    public static int run(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Replay.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
