package io.conduit.linearizability;

import java.util.Objects;

/**
 * The sequential specification of a key-value store, partitioned by key: each key is an independent register that
 * is either missing or holds a value (see {@link KvOperation} for the operations and their answers).
 */
public final class KvModel implements Model<KvModel.KeyState>
{
    /**
     * One key's state.
     *
     * @param value the key's value, or {@code null} while the key is missing.
     */
    public record KeyState(String value)
    {
        /** The key holds no value, as every key starts. */
        public static final KeyState MISSING = new KeyState(null);

        @Override
        public String toString()
        {
            return value == null ? "MISSING" : "VALUE(" + value + ")";
        }
    }

    @Override
    public KeyState initialState()
    {
        return KeyState.MISSING;
    }

    @Override
    public KeyState step(final KeyState state, final Operation operation, final Result result)
    {
        if (operation instanceof KvOperation.Put put)
        {
            requireResult(operation, result, result == null || result instanceof KvResult.Ok);
            return new KeyState(put.value());
        }
        if (operation instanceof KvOperation.Get)
        {
            return stepGet(state, operation, result);
        }
        if (operation instanceof KvOperation.Cas cas)
        {
            return stepCas(state, cas, result);
        }
        if (operation instanceof KvOperation.Delete)
        {
            requireResult(operation, result, result == null || result instanceof KvResult.Ok);
            return KeyState.MISSING;
        }
        throw new IllegalArgumentException("KvModel checks only KvOperation, not " + describe(operation));
    }

    @Override
    public String partitionKey(final Operation operation)
    {
        if (operation instanceof KvOperation kv)
        {
            return kv.key();
        }
        throw new IllegalArgumentException("KvModel checks only KvOperation, not " + describe(operation));
    }

    @Override
    public boolean isReadOnly(final Operation operation)
    {
        return operation instanceof KvOperation.Get;
    }

    private static KeyState stepCas(final KeyState state, final KvOperation.Cas cas, final Result result)
    {
        final boolean succeeds = result instanceof KvResult.Ok;
        requireResult(cas, result, result == null || succeeds || result instanceof KvResult.Fail);
        final boolean matches = Objects.equals(state.value(), cas.expected());
        if (result != null && matches != succeeds)
        {
            return null;
        }
        return matches ? new KeyState(cas.update()) : state;
    }

    private static KeyState stepGet(final KeyState state, final Operation operation, final Result result)
    {
        if (result == null)
        {
            return state;
        }
        if (result instanceof KvResult.Missing)
        {
            return state.value() == null ? state : null;
        }
        requireResult(operation, result, result instanceof KvResult.Value);
        return ((KvResult.Value)result).value().equals(state.value()) ? state : null;
    }

    // A result that this kind of operation can never give is a bug in the test's recording, not a linearizability
    // violation, so it fails loudly instead of making the step illegal.
    private static void requireResult(final Operation operation, final Result result, final boolean acceptable)
    {
        if (!acceptable)
        {
            throw new IllegalArgumentException(operation + " can never answer " + result);
        }
    }

    private static String describe(final Operation operation)
    {
        return operation == null ? "null" : operation.getClass().getName() + " " + operation;
    }
}
