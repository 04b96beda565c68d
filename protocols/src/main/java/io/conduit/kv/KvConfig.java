package io.conduit.kv;

/**
 * Limits of the key-value store, shared by the codecs (what a valid message may carry) and the state machine
 * (how many client sessions it remembers, and for how long).
 *
 * @param maxKeyLength         longest key or lease name in bytes (at most 65535: it travels as a 16-bit length).
 * @param maxValueLength       longest value (and cas expected value) in bytes.
 * @param maxHolderLength      longest lease holder in bytes (at most 65535).
 * @param maxTtlMs             longest lease ttl; bounded so {@code ttlMs * 1_000_000} cannot overflow.
 * @param maxSessions          client sessions kept; beyond it the least recently used session is forgotten.
 * @param sessionExpiryEntries a session unused for this many log entries is forgotten.
 */
public record KvConfig(
    int maxKeyLength,
    int maxValueLength,
    int maxHolderLength,
    long maxTtlMs,
    int maxSessions,
    long sessionExpiryEntries)
{
    /** The upper bound for {@link #maxValueLength}: one value must fit a log entry comfortably. */
    public static final int MAX_VALUE_LENGTH_LIMIT = 16 * 1024 * 1024;
    /** The upper bound for {@link #maxTtlMs}: one day, far below the {@code long} nanosecond range. */
    public static final long MAX_TTL_MS_LIMIT = 86_400_000L;

    /** 256-byte keys and holders, 64 KiB values, ttl up to an hour, 10,000 sessions unused for a million entries. */
    public static final KvConfig DEFAULT = new KvConfig(256, 64 * 1024, 256, 3_600_000L, 10_000, 1_000_000L);

    public KvConfig
    {
        requireRange("maxKeyLength", maxKeyLength, 1, 65_535);
        requireRange("maxValueLength", maxValueLength, 1, MAX_VALUE_LENGTH_LIMIT);
        requireRange("maxHolderLength", maxHolderLength, 1, 65_535);
        requireRange("maxTtlMs", maxTtlMs, 1, MAX_TTL_MS_LIMIT);
        requireRange("maxSessions", maxSessions, 1, Integer.MAX_VALUE);
        requireRange("sessionExpiryEntries", sessionExpiryEntries, 1, Long.MAX_VALUE);
    }

    /** A copy with other session limits, for tests that exercise eviction. */
    public KvConfig withSessions(final int maxSessions, final long sessionExpiryEntries)
    {
        return new KvConfig(maxKeyLength, maxValueLength, maxHolderLength, maxTtlMs, maxSessions, sessionExpiryEntries);
    }

    private static void requireRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }
}
