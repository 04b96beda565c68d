package io.conduit.bench.lossy;

/**
 * What a bulk receiver saw: the bytes and the span from the first to the last byte.
 *
 * @param bytes  payload bytes received.
 * @param spanNs nanoseconds from the first to the last byte received.
 */
record ReceivedBytes(long bytes, long spanNs)
{
}
