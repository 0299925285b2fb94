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
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The packaged jar at its defaults, as a new user starts it: loopback only; beyond loopback without
 * authentication it refuses to start and says how to configure it; opting out is explicit and warned
 * (the system in this JVM, on the shared broker: the same application and configuration, started in
 * a fraction of the jar's time).
 */
@ExtendWith(SharedBroker.class)
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
    @ExtendWith(OutputCaptureExtension.class)
    void withModeNoneItStartsOnEveryInterfaceAndWarns(CapturedOutput output) throws IOException {
        try (InProcessSystem open = InProcessSystem.start("open", "--server.address=0.0.0.0",
                "--agentflow.security.mode=none")) {
            assertThat(open.http().get("/api/v1/workflows").status()).isEqualTo(200);
            assertThat(output.getAll().lines()).anySatisfy(line -> assertThat(line).contains("WARN")
                    .contains("agentflow.security.mode=none: the API is open to everyone"));
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
