package dev.agentflow.runtime.payload;

/** A payload over {@code agentflow.limits.max-payload-bytes}. */
public final class PayloadTooLargeException extends RuntimeException {

    private final long bytes;
    private final long limit;

    public PayloadTooLargeException(String message, long bytes, long limit) {
        super(message, null, false, false);
        this.bytes = bytes;
        this.limit = limit;
    }

    public long bytes() {
        return bytes;
    }

    public long limit() {
        return limit;
    }
}
