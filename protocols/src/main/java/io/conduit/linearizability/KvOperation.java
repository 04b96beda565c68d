package io.conduit.linearizability;

import java.util.Objects;

/**
 * An operation on one key of a key-value store, checked by {@link KvModel}. Keys and values are strings; callers
 * with {@code long} keys or values pass {@code Long.toString(x)}.
 * <ul>
 * <li>{@link Put}: set the key's value; answers {@link KvResult#OK}.</li>
 * <li>{@link Get}: read the key; answers {@link KvResult#value(String)} or {@link KvResult#MISSING}.</li>
 * <li>{@link Cas}: compare-and-set; answers {@link KvResult#OK} if the value was {@code expected} and is now
 * {@code update}, {@link KvResult#FAIL} if it was something else and is unchanged.</li>
 * <li>{@link Delete}: remove the key; answers {@link KvResult#OK}.</li>
 * </ul>
 */
public sealed interface KvOperation extends Operation
    permits KvOperation.Put, KvOperation.Get, KvOperation.Cas, KvOperation.Delete
{
    /**
     * @return the key the operation touches, its partition.
     */
    String key();

    /**
     * @param key   the key.
     * @param value the new value.
     * @return PUT(key, value).
     */
    static Put put(final String key, final String value)
    {
        return new Put(key, value);
    }

    /**
     * @param key the key.
     * @return GET(key).
     */
    static Get get(final String key)
    {
        return new Get(key);
    }

    /**
     * @param key      the key.
     * @param expected the value the key must hold for the swap, or {@code null} for "the key is missing".
     * @param update   the value to set if it does.
     * @return CAS(key, expected, update).
     */
    static Cas cas(final String key, final String expected, final String update)
    {
        return new Cas(key, expected, update);
    }

    /**
     * @param key the key.
     * @return DELETE(key).
     */
    static Delete delete(final String key)
    {
        return new Delete(key);
    }

    /**
     * Sets a key's value.
     *
     * @param key   the key.
     * @param value the new value.
     */
    record Put(String key, String value) implements KvOperation
    {
        public Put
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString()
        {
            return "PUT(" + key + ", " + value + ")";
        }
    }

    /**
     * Reads a key.
     *
     * @param key the key.
     */
    record Get(String key) implements KvOperation
    {
        public Get
        {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString()
        {
            return "GET(" + key + ")";
        }
    }

    /**
     * Compare-and-set.
     *
     * @param key      the key.
     * @param expected the value the key must hold, or {@code null} for "the key is missing".
     * @param update   the value to set if it does.
     */
    record Cas(String key, String expected, String update) implements KvOperation
    {
        public Cas
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(update, "update");
        }

        @Override
        public String toString()
        {
            return "CAS(" + key + ", " + (expected == null ? "MISSING" : expected) + ", " + update + ")";
        }
    }

    /**
     * Removes a key.
     *
     * @param key the key.
     */
    record Delete(String key) implements KvOperation
    {
        public Delete
        {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString()
        {
            return "DELETE(" + key + ")";
        }
    }
}
