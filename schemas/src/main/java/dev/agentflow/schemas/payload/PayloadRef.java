package dev.agentflow.schemas.payload;

/**
 * Where a payload too large to travel inline is stored: {@code chunks} records keyed
 * {@code payloadId} on the payload topic, the first at {@code partition}/{@code offset}, the rest
 * after it in the same partition (each record's {@code chunk} header gives its index).
 *
 * @param payloadId the payload's id ({@code pl-…}), also its records' key
 * @param bytes     its size in UTF-8 bytes
 * @param sha256    the SHA-256 of those bytes, lowercase hex
 * @param chunks    how many records hold it
 * @param partition the partition of the payload topic that holds it
 * @param offset    the offset of its first record
 * @param preview   its first characters, for people and logs
 */
public record PayloadRef(String payloadId, long bytes, String sha256, int chunks, int partition, long offset,
                         String preview) {
}
