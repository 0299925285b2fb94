package dev.agentflow.runtime.payload;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.payload.Utf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The claim check: payloads too large to travel inline are stored once, in chunks, on the payload
 * topic (kept as long as the events), and travel as a {@link PayloadRef}. Kafka is the only store.
 * Writes complete when every chunk is acknowledged by all in-sync replicas; reads seek to the
 * reference's offset and check size and SHA-256. Recently written or read payloads are kept in a
 * small cache, so that the step after an in-process one rarely reads the topic.
 */
public final class PayloadStore implements AutoCloseable {

    /** Header of each chunk record: its index, 0-based, as decimal text. */
    public static final String CHUNK_HEADER = "chunk";
    /** Header of each chunk record: how many chunks the payload has, as decimal text. */
    public static final String CHUNKS_HEADER = "chunks";
    /** Header of each chunk record: the SHA-256 of the whole payload, lowercase hex. */
    public static final String SHA256_HEADER = "sha256";
    public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;
    /** Payload reads run on this many threads, each with a consumer of its own. */
    private static final int READERS = 4;
    /** Reads waiting for a reader beyond this are refused (the caller retries). */
    private static final int READ_QUEUE = 10_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Limits limits;
    private final long maxReadBytes;
    private final Properties consumerProps = new Properties();
    private final KafkaProducer<String, byte[]> producer;
    private final BlockingQueue<KafkaConsumer<String, byte[]>> idleReaders = new ArrayBlockingQueue<>(READERS);
    private final ThreadPoolExecutor reads;
    private final Cache cache;
    private volatile boolean closed;

    public PayloadStore(String bootstrapServers, String topic, Limits limits, String clientId, long cacheBytes) {
        this(KafkaSettings.client(bootstrapServers, Map.of()), topic, limits, clientId, cacheBytes, true);
    }

    /** A store whose clients are configured with {@code client} (bootstrap servers, security). */
    public PayloadStore(Map<String, Object> client, String topic, Limits limits, String clientId, long cacheBytes) {
        this(client, topic, limits, clientId, cacheBytes, true);
    }

    /**
     * A store that only reads, whatever the limits of the engine that wrote the payloads (for
     * tools such as {@code replay}).
     */
    public static PayloadStore reader(Map<String, Object> client, String topic, String clientId) {
        return new PayloadStore(client, topic, Limits.DEFAULTS, clientId, 0, false);
    }

    private PayloadStore(Map<String, Object> client, String topic, Limits limits, String clientId, long cacheBytes,
                         boolean writes) {
        this.topic = topic;
        this.limits = limits;
        // a payload is read into one array, so it cannot be larger than an array can be
        this.maxReadBytes = writes ? limits.maxPayloadBytes() : Integer.MAX_VALUE - 16;
        this.cache = new Cache(cacheBytes);
        this.producer = writes ? producer(client, clientId, limits) : null;
        consumerProps.putAll(client);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-payload-reader");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(Math.max(1024 * 1024, 2 * limits.payloadChunkBytes())));
        AtomicInteger threads = new AtomicInteger();
        this.reads = new ThreadPoolExecutor(READERS, READERS, 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(READ_QUEUE), r -> {
                    Thread t = new Thread(r, "agentflow-payload-reader-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> client, String clientId, Limits limits) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-payload-writer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Limits.KAFKA_DEFAULT_RECORD_BYTES));
        // Room for two of the largest payloads in flight at once, within reason.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(64L * 1024 * 1024,
                Math.min(512L * 1024 * 1024, 2 * limits.maxPayloadBytes() + 8L * 1024 * 1024))));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public Limits limits() {
        return limits;
    }

    /**
     * The payload for {@code text}: inline up to {@code inline-payload-bytes}, else stored. Fails
     * with {@link PayloadTooLargeException} over {@code max-payload-bytes}, naming {@code what}.
     */
    public CompletableFuture<Payload> externalize(String text, String what) {
        long bytes = Utf8.length(text);
        if (bytes > limits.maxPayloadBytes()) {
            return CompletableFuture.failedFuture(new PayloadTooLargeException(limits.tooLarge(what, bytes), bytes,
                    limits.maxPayloadBytes()));
        }
        if (bytes <= limits.inlinePayloadBytes()) {
            return CompletableFuture.completedFuture(Payload.inline(text));
        }
        try {
            return store(text).thenApply(Payload::of);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Writes {@code text} in chunks; completes once every chunk is acknowledged. */
    CompletableFuture<PayloadRef> store(String text) {
        if (producer == null) {
            throw new IllegalStateException("This payload store only reads");
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        String id = Ids.payloadId();
        String sha256 = sha256(utf8);
        int chunkBytes = limits.payloadChunkBytes();
        int chunks = Math.max(1, (utf8.length + chunkBytes - 1) / chunkBytes);
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = Arrays.copyOfRange(utf8, i * chunkBytes, Math.min(utf8.length, (i + 1) * chunkBytes));
            RecordHeaders headers = new RecordHeaders();
            headers.add(CHUNK_HEADER, Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
            headers.add(CHUNKS_HEADER, Integer.toString(chunks).getBytes(StandardCharsets.US_ASCII));
            headers.add(SHA256_HEADER, sha256.getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(topic, null, id, chunk, headers), (metadata, error) -> {
                if (error == null) {
                    ack.complete(metadata);
                } else {
                    ack.completeExceptionally(error);
                }
            });
            sent.add(ack);
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenApply(done -> {
            RecordMetadata first = sent.get(0).join();
            cache.put(id, text);
            return new PayloadRef(id, utf8.length, sha256, chunks, first.partition(), first.offset(),
                    Utf8.head(text, Limits.PREVIEW_CHARS));
        });
    }

    /** The whole text of the payload (inline, cached, or read from the topic). */
    public CompletableFuture<String> resolve(Payload payload) {
        if (payload == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (!payload.isRef()) {
            return CompletableFuture.completedFuture(payload.text());
        }
        PayloadRef ref = payload.ref();
        String cached = cache.get(ref.payloadId());
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return read(() -> {
            String text = new String(readBytes(ref, Long.MAX_VALUE), StandardCharsets.UTF_8);
            cache.put(ref.payloadId(), text);
            return text;
        });
    }

    /**
     * The longest prefix of the payload's text that takes at most {@code maxBytes} in UTF-8, reading
     * no more chunks than that needs.
     */
    public CompletableFuture<String> head(Payload payload, int maxBytes) {
        if (payload == null) {
            return CompletableFuture.completedFuture(null);
        }
        String known = payload.isRef() ? cache.get(payload.ref().payloadId()) : payload.text();
        if (known != null) {
            return CompletableFuture.completedFuture(headOf(known, maxBytes));
        }
        PayloadRef ref = payload.ref();
        return read(() -> {
            byte[] bytes = readBytes(ref, maxBytes);
            return new String(bytes, 0, Utf8.boundary(bytes, maxBytes), StandardCharsets.UTF_8);
        });
    }

    private static String headOf(String text, int maxBytes) {
        if (text.length() * 3L <= maxBytes || Utf8.length(text) <= maxBytes) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, 0, Utf8.boundary(bytes, maxBytes), StandardCharsets.UTF_8);
    }

    /** The payload's bytes, checked, read on one of the store's readers. */
    public CompletableFuture<byte[]> bytes(PayloadRef ref) {
        return read(() -> readBytes(ref, Long.MAX_VALUE));
    }

    private <T> CompletableFuture<T> read(java.util.concurrent.Callable<T> reading) {
        Read<T> read = new Read<>(reading);
        try {
            reads.execute(read);
        } catch (RejectedExecutionException e) {
            read.result.completeExceptionally(new IllegalStateException(closed ? "The payload store is closed"
                    : "Too many payload reads waiting", e));
        }
        return read.result;
    }

    /** A read waiting for a reader; one dropped when the store closes is completed exceptionally. */
    private static final class Read<T> implements Runnable {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final java.util.concurrent.Callable<T> reading;

        Read(java.util.concurrent.Callable<T> reading) {
            this.reading = reading;
        }

        @Override
        public void run() {
            try {
                result.complete(reading.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Reads the payload's chunks in order, stopping once {@code atLeast} bytes are read (or all are),
     * and checks the whole payload's size and SHA-256 when it was read whole.
     */
    private byte[] readBytes(PayloadRef ref, long atLeast) {
        long maxChunks = maxReadBytes / 1024 + 1;
        if (ref.bytes() < 0 || ref.bytes() > maxReadBytes || ref.chunks() < 1 || ref.chunks() > maxChunks) {
            throw new IllegalArgumentException("Payload " + ref.payloadId() + " claims " + ref.bytes() + " bytes in "
                    + ref.chunks() + " chunks, beyond agentflow.limits");
        }
        KafkaConsumer<String, byte[]> consumer = idleReaders.poll();
        if (consumer == null) {
            consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        }
        boolean healthy = false;
        try {
            byte[] bytes = readChunks(consumer, ref, atLeast);
            healthy = true;
            return bytes;
        } finally {
            boolean kept = false;
            if (healthy && !closed) {
                consumer.assign(List.of());
                kept = idleReaders.offer(consumer);
            }
            if (!kept) {
                consumer.close(Duration.ZERO);
            }
        }
    }

    private byte[] readChunks(KafkaConsumer<String, byte[]> consumer, PayloadRef ref, long atLeast) {
        TopicPartition tp = new TopicPartition(topic, ref.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, ref.offset());
        long end = consumer.endOffsets(List.of(tp), READ_TIMEOUT).get(tp);
        // Whole, the bytes go straight into an array of the reference's size: one copy, no more.
        byte[] whole = atLeast >= ref.bytes() ? new byte[(int) ref.bytes()] : null;
        ByteArrayOutputStream head = whole == null ? new ByteArrayOutputStream() : null;
        int size = 0;
        int next = 0;
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (next < ref.chunks() && size < atLeast) {
            if (consumer.position(tp) >= end) {
                throw new IllegalStateException("Payload " + ref.payloadId() + " is incomplete: chunk " + next
                        + " of " + ref.chunks() + " is not in " + tp + " from offset " + ref.offset());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Reading payload " + ref.payloadId() + " took over " + READ_TIMEOUT);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                byte[] chunk = record.value();
                if (next < ref.chunks() && ref.payloadId().equals(record.key()) && chunk != null
                        && next == header(record, CHUNK_HEADER)) {
                    if (whole != null && size + chunk.length > whole.length) {
                        throw mismatch(ref, size + chunk.length);
                    }
                    if (whole != null) {
                        System.arraycopy(chunk, 0, whole, size, chunk.length);
                    } else {
                        head.write(chunk, 0, chunk.length);
                    }
                    size += chunk.length;
                    next++;
                }
            }
        }
        if (whole == null) {
            return head.toByteArray();
        }
        if (size != ref.bytes() || !sha256(whole).equals(ref.sha256())) {
            throw mismatch(ref, size);
        }
        return whole;
    }

    private static IllegalStateException mismatch(PayloadRef ref, long read) {
        return new IllegalStateException("Payload " + ref.payloadId() + " does not match its reference (" + read
                + " bytes read, " + ref.bytes() + " expected, or another SHA-256)");
    }

    private static int header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null || header.value() == null) {
            return -1;
        }
        try {
            return Integer.parseInt(new String(header.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** The payload's cause, unwrapped from a future's wrapping. */
    public static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @Override
    public void close() {
        closed = true;
        for (Runnable dropped : reads.shutdownNow()) {
            if (dropped instanceof Read<?> read) {
                read.result.completeExceptionally(new IllegalStateException("The payload store is closed"));
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        KafkaConsumer<String, byte[]> consumer;
        while ((consumer = idleReaders.poll()) != null) {
            consumer.close(Duration.ZERO);
        }
    }

    /** Texts by payload id, least recently used out first, within a total of characters. */
    private static final class Cache {
        private final long maxChars;
        private long chars;
        private final LinkedHashMap<String, String> entries = new LinkedHashMap<>(16, 0.75f, true);

        Cache(long maxBytes) {
            this.maxChars = maxBytes / 2;
        }

        synchronized String get(String id) {
            return entries.get(id);
        }

        synchronized void put(String id, String text) {
            if (text.length() > maxChars / 4 || entries.containsKey(id)) {
                return;
            }
            entries.put(id, text);
            chars += text.length();
            var it = entries.entrySet().iterator();
            while (chars > maxChars && it.hasNext()) {
                Map.Entry<String, String> oldest = it.next();
                chars -= oldest.getValue().length();
                it.remove();
            }
        }
    }
}
