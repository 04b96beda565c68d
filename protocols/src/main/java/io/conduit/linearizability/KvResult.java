package io.conduit.linearizability;

import java.util.Objects;

/**
 * What a key-value store answered to a {@link KvOperation}: {@link #OK}, {@link #FAIL} (a compare-and-set that did
 * not match), {@link #MISSING} (a read of an absent key) or {@link #value(String)} (a read's value).
 */
public sealed interface KvResult extends Result
    permits KvResult.Ok, KvResult.Fail, KvResult.Missing, KvResult.Value
{
    /** A write took effect. */
    KvResult OK = new Ok();

    /** A compare-and-set found another value and changed nothing. */
    KvResult FAIL = new Fail();

    /** A read found no value. */
    KvResult MISSING = new Missing();

    /**
     * @param value what the read returned.
     * @return VALUE(value).
     */
    static Value value(final String value)
    {
        return new Value(value);
    }

    /** A write took effect. */
    record Ok() implements KvResult
    {
        @Override
        public String toString()
        {
            return "OK";
        }
    }

    /** A compare-and-set found another value. */
    record Fail() implements KvResult
    {
        @Override
        public String toString()
        {
            return "FAIL";
        }
    }

    /** A read found no value. */
    record Missing() implements KvResult
    {
        @Override
        public String toString()
        {
            return "MISSING";
        }
    }

    /**
     * A read's value.
     *
     * @param value what the read returned.
     */
    record Value(String value) implements KvResult
    {
        public Value
        {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString()
        {
            return "VALUE(" + value + ")";
        }
    }
}
