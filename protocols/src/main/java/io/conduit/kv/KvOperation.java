package io.conduit.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One operation of the contract as plain values, before it is encoded: what {@link KvTextProtocol#parse} returns
 * and what {@link KvRequestFlyweight#encode} writes. Absent fields are empty arrays, never null.
 *
 * @param op       the operation.
 * @param key      the key, or the lease name.
 * @param value    the value of a put, the new value of a cas; empty otherwise.
 * @param expected the expected value of a cas; empty otherwise.
 * @param holder   the lease holder; empty otherwise.
 * @param ttlMs    the lease ttl; 0 otherwise.
 */
public record KvOperation(KvOp op, byte[] key, byte[] value, byte[] expected, byte[] holder, long ttlMs)
{
    private static final byte[] NONE = new byte[0];

    public KvOperation
    {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(holder, "holder");
    }

    public static KvOperation put(final byte[] key, final byte[] value)
    {
        return new KvOperation(KvOp.PUT, key, value, NONE, NONE, 0);
    }

    public static KvOperation get(final byte[] key)
    {
        return new KvOperation(KvOp.GET, key, NONE, NONE, NONE, 0);
    }

    public static KvOperation cas(final byte[] key, final byte[] expected, final byte[] newValue)
    {
        return new KvOperation(KvOp.CAS, key, newValue, expected, NONE, 0);
    }

    public static KvOperation delete(final byte[] key)
    {
        return new KvOperation(KvOp.DELETE, key, NONE, NONE, NONE, 0);
    }

    public static KvOperation lease(final byte[] name, final byte[] holder, final long ttlMs)
    {
        return new KvOperation(KvOp.LEASE, name, NONE, NONE, holder, ttlMs);
    }

    public static KvOperation put(final String key, final String value)
    {
        return put(utf8(key), utf8(value));
    }

    public static KvOperation get(final String key)
    {
        return get(utf8(key));
    }

    public static KvOperation cas(final String key, final String expected, final String newValue)
    {
        return cas(utf8(key), utf8(expected), utf8(newValue));
    }

    public static KvOperation delete(final String key)
    {
        return delete(utf8(key));
    }

    public static KvOperation lease(final String name, final String holder, final long ttlMs)
    {
        return lease(utf8(name), utf8(holder), ttlMs);
    }

    /** Bytes needed to encode this operation as a request. */
    public int encodedLength()
    {
        return KvRequestFlyweight.HEADER_LENGTH + key.length + value.length + expected.length + holder.length;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof KvOperation that && op == that.op && ttlMs == that.ttlMs &&
            Arrays.equals(key, that.key) && Arrays.equals(value, that.value) &&
            Arrays.equals(expected, that.expected) && Arrays.equals(holder, that.holder);
    }

    @Override
    public int hashCode()
    {
        int hash = op.hashCode();
        hash = 31 * hash + Arrays.hashCode(key);
        hash = 31 * hash + Arrays.hashCode(value);
        hash = 31 * hash + Arrays.hashCode(expected);
        hash = 31 * hash + Arrays.hashCode(holder);
        return 31 * hash + Long.hashCode(ttlMs);
    }

    @Override
    public String toString()
    {
        return "KvOperation{" + op + " key=" + text(key) + " value=" + text(value) + " expected=" + text(expected) +
            " holder=" + text(holder) + " ttlMs=" + ttlMs + "}";
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
