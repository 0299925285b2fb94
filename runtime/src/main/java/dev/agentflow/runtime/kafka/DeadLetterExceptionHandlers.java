package dev.agentflow.runtime.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' three exception handlers, set on every topology by {@link StreamsApp}: a record
 * that cannot be deserialized, processed or produced is logged, counted and copied (bounded) to
 * the dead-letter topic ({@code errors.dead.letter.queue.topic.name}) through Kafka's own
 * dead-letter-queue support, and the app goes on with the next record.
 */
public final class DeadLetterExceptionHandlers {

    private DeadLetterExceptionHandlers() {
    }

    /** What the three handlers share: the dead-letter topic and the component, from the app's config. */
    abstract static class Base {
        String deadLetterTopic;
        String component;

        public void configure(Map<String, ?> configs) {
            deadLetterTopic = String.valueOf(configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
            component = String.valueOf(configs.get(StreamsConfig.APPLICATION_ID_CONFIG));
        }

        List<ProducerRecord<byte[], byte[]>> deadLetter(ErrorHandlerContext context, byte[] key, byte[] value,
                                                        Exception error) {
            DeadLetters.record(component, context.topic(), context.partition(), context.offset(), error);
            return copy(context, key, value, error);
        }

        List<ProducerRecord<byte[], byte[]>> copy(ErrorHandlerContext context, byte[] key, byte[] value,
                                                  Exception error) {
            return List.of(DeadLetters.streamsRecord(deadLetterTopic, component, context.topic(),
                    context.partition(), context.offset(), context.headers(), key, value, error));
        }
    }

    /** A record whose key or value cannot be read. */
    public static final class Deserialization extends Base implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                    Exception exception) {
            return Response.resume(deadLetter(context, record.key(), record.value(), exception));
        }
    }

    /**
     * A record a processor threw on (a command a decider cannot apply, an event a view cannot fold),
     * or a punctuation that threw (then there is no record).
     */
    public static final class Processing extends Base implements ProcessingExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            byte[] key = context.sourceRawKey() != null ? context.sourceRawKey()
                    : record == null ? null : bytes(record.key());
            byte[] value = context.sourceRawValue() != null ? context.sourceRawValue()
                    : record == null ? null : bytes(record.value());
            return Response.resume(deadLetter(context, key, value, exception));
        }
    }

    /** A record that cannot be written: retried while the error is retriable; then {@link #giveUp}. */
    abstract static class Writing extends Base implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                    Exception exception) {
            if (exception instanceof RetriableException) {
                return Response.retry();
            }
            return giveUp(context, record.topic(), record.key(), record.value(), exception);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record,
                                                 Exception exception, SerializationExceptionOrigin origin) {
            return giveUp(context, record.topic(), bytes(record.key()), bytes(record.value()), exception);
        }

        abstract Response giveUp(ErrorHandlerContext context, String topic, byte[] key, byte[] value,
                                 Exception exception);
    }

    /** A record of a view or the session store: copied and skipped, so that no record can stop the app. */
    public static final class Production extends Writing {
        @Override
        Response giveUp(ErrorHandlerContext context, String topic, byte[] key, byte[] value, Exception exception) {
            return Response.resume(deadLetter(context, key, value, exception));
        }
    }

    /**
     * A decider's record (exactly-once): copied, and the transaction failed, never skipped, since
     * skipping an event would leave the decider's state ahead of its event log for good. Records are
     * bounded by construction, so what remains is a cluster that refuses the engine (an ACL, a
     * deleted topic): a fault to fix, not a record to lose.
     */
    public static final class ExactlyOnceProduction extends Writing {
        @Override
        Response giveUp(ErrorHandlerContext context, String topic, byte[] key, byte[] value, Exception exception) {
            DeadLetters.failed(component, topic, exception);
            return Response.fail(copy(context, key, value, exception));
        }
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] b) {
            return b;
        }
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }
}
