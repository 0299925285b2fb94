package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.runtime.kafka.TopicAdmin;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.payload.PayloadTooLargeException;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.payload.Utf8;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The claim check on a real broker: payloads stored in chunks and resolved whole, checked, or refused. */
class PayloadStoreIT {

    /** Every payload over 16 bytes goes by reference, in chunks of 1 KiB: many chunks from small texts. */
    private static final Limits SMALL = new Limits(100_000, 16, 1024, 10, 4096);

    private static EmbeddedKafkaBroker broker;
    private static PayloadStore writer;
    private static PayloadStore reader;
    private static final Topics TOPICS = Topics.defaults();

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start(Files.createTempDirectory("payloads"), Http.freePort(), Http.freePort());
        TopicAdmin.ensureTopics(broker.bootstrapServers(), TOPICS.all());
        writer = new PayloadStore(broker.bootstrapServers(), TOPICS.payloads().name(), SMALL, "writer", 1 << 20);
        reader = new PayloadStore(broker.bootstrapServers(), TOPICS.payloads().name(), SMALL, "reader", 0);
    }

    @AfterAll
    static void stop() {
        writer.close();
        reader.close();
        broker.close();
    }

    private static Payload stored(String text) throws Exception {
        return writer.externalize(text, "input").get(30, TimeUnit.SECONDS);
    }

    @Test
    void smallTextsStayInlineAndLargerOnesAreStoredAndReadBackWhole() throws Exception {
        for (String text : List.of("", "sixteen bytes!!!", "x".repeat(1024), "x".repeat(2048), "€".repeat(1000),
                "a😀".repeat(3000), "line\n".repeat(10_000))) {
            Payload payload = stored(text);

            assertThat(payload.isRef()).as("%d bytes by reference", text.length())
                    .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length > 16);
            assertThat(reader.resolve(payload).get(30, TimeUnit.SECONDS)).isEqualTo(text);
            if (payload.isRef()) {
                PayloadRef ref = payload.ref();
                assertThat(ref.bytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
                assertThat(ref.chunks()).isEqualTo((int) ((ref.bytes() + 1023) / 1024));
                assertThat(ref.preview()).isEqualTo(Utf8.head(text, Limits.PREVIEW_CHARS));
            }
        }
    }

    @Test
    void aHeadIsThePrefixThatFitsInBytesWithoutSplittingACharacter() throws Exception {
        Payload payload = stored("€".repeat(2000)); // 6000 bytes, chunks split characters

        String head = reader.head(payload, 1000).get(30, TimeUnit.SECONDS);

        assertThat(head).isEqualTo("€".repeat(333));
        assertThat(reader.head(payload, 100_000).get(30, TimeUnit.SECONDS)).isEqualTo("€".repeat(2000));
    }

    @Test
    void payloadsWrittenAtOnceByManyWritersAreEachReadBackWhole() throws Exception {
        List<CompletableFuture<Payload>> writes = new ArrayList<>();
        IntStream.range(0, 16).forEach(i -> writes.add(writer.externalize(("writer " + i + " ").repeat(500), "x")));
        for (int i = 0; i < writes.size(); i++) {
            Payload payload = writes.get(i).get(30, TimeUnit.SECONDS);
            assertThat(reader.resolve(payload).get(30, TimeUnit.SECONDS)).isEqualTo(("writer " + i + " ").repeat(500));
        }
    }

    @Test
    void aReferenceThatDoesNotMatchWhatIsStoredIsRefused() throws Exception {
        PayloadRef ref = stored("y".repeat(3000)).ref();
        PayloadRef otherHash = new PayloadRef(ref.payloadId(), ref.bytes(), "00".repeat(32), ref.chunks(),
                ref.partition(), ref.offset(), ref.preview());
        PayloadRef nowhere = new PayloadRef("pl-nowhere", ref.bytes(), ref.sha256(), ref.chunks(), ref.partition(),
                ref.offset(), ref.preview());
        PayloadRef huge = new PayloadRef(ref.payloadId(), 1L << 40, ref.sha256(), ref.chunks(), ref.partition(),
                ref.offset(), ref.preview());

        assertThatThrownBy(() -> reader.resolve(Payload.of(otherHash)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("does not match its reference");
        assertThatThrownBy(() -> reader.resolve(Payload.of(nowhere)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("is incomplete");
        assertThatThrownBy(() -> reader.resolve(Payload.of(huge)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("beyond agentflow.limits");
    }

    @Test
    void aTextOverTheLimitIsRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> writer.externalize("z".repeat(100_001), "output of step 2 (agent template)")
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PayloadTooLargeException.class)
                .hasMessage("output of step 2 (agent template) is 100001 bytes, over the limit of 100000 bytes"
                        + " (agentflow.limits.max-payload-bytes)");
    }
}
