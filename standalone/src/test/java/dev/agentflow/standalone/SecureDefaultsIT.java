package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar at its defaults, as a new user starts it: loopback only; beyond loopback without
 * authentication it refuses to start and says how to configure it; opting out is explicit and warned.
 */
class SecureDefaultsIT {

    @Test
    void boundBeyondLoopbackWithoutAuthenticationItRefusesToStartAndSaysWhatToDo() throws IOException {
        StandaloneProcess process = new StandaloneProcess(Files.createTempDirectory("agentflow-refuse"),
                "--server.address=0.0.0.0");
        try (process) {
            int exit = process.runToExit(Duration.ofSeconds(90));

            assertThat(exit).as(process.log()).isNotZero();
            assertThat(process.log()).contains("APPLICATION FAILED TO START", "refuses to start",
                    "would listen on 0.0.0.0", "create-api-key", "spring.security.oauth2.resourceserver.jwt.issuer-uri",
                    "--server.address=127.0.0.1", "--agentflow.security.mode=none", "docs/security.md");
        }
    }

    @Test
    void withModeNoneItStartsOnEveryInterfaceAndWarns() throws IOException {
        try (StandaloneProcess open = new StandaloneProcess(Files.createTempDirectory("agentflow-open"),
                "--server.address=0.0.0.0", "--agentflow.security.mode=none")) {
            open.start();
            assertThat(open.http().get("/api/v1/workflows").status()).isEqualTo(200);
            assertThat(open.log()).contains("WARN").contains("agentflow.security.mode=none: the API is open to everyone");
            Optional<InetAddress> external = externalAddress();
            if (external.isPresent()) {
                assertThat(reachable(external.get(), open.httpPort())).as("the API on " + external.get()).isTrue();
            }
        }
    }

    /** An address of this machine other than loopback, if it has one. */
    static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }

    static boolean reachable(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
