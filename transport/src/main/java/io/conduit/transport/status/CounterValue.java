package io.conduit.transport.status;

/**
 * One counter as read from a status file at one moment.
 *
 * @param id     the counter id within its file.
 * @param typeId one of {@link CounterTypes}; {@link CounterTypes#name(int)} gives its name.
 * @param label  what the counter counts, e.g. {@code "conn 1a2b3c4d->127.0.0.1:9001 srtt_us"}.
 * @param value  the value last stored by the writer.
 */
public record CounterValue(int id, int typeId, String label, long value)
{
}
