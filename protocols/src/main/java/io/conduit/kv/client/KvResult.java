package io.conduit.kv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.kv.KvTextProtocol;

/**
 * The answer to one client command: a final status from the store, or {@link Outcome#TIMEOUT} when none came in
 * time (the command may or may not have been applied). {@link Outcome#ERROR} always means certainly not applied.
 *
 * @param outcome what happened.
 * @param index   the log index the answer reflects (0 for TIMEOUT, and for errors found before sending).
 * @param token   the fencing token of a lease grant (OK of a lease), else 0.
 * @param payload the value (VALUE), the holder (HELD), the error text (ERROR); empty otherwise.
 */
public record KvResult(Outcome outcome, long index, long token, byte[] payload)
{
    private static final byte[] NONE = new byte[0];
    private static final KvResult TIMEOUT = new KvResult(Outcome.TIMEOUT, 0, 0, NONE);

    /** The contract's outcomes: the store's final statuses, plus TIMEOUT. */
    public enum Outcome
    {
        OK, VALUE, MISSING, FAIL, HELD, ERROR, TIMEOUT
    }

    public KvResult
    {
        payload = payload.clone();
    }

    public static KvResult timeout()
    {
        return TIMEOUT;
    }

    /** An error found before anything was sent, so certainly not applied. */
    public static KvResult error(final String text)
    {
        return new KvResult(Outcome.ERROR, 0, 0, KvTextProtocol.errorLine(text).substring("error ".length())
            .getBytes(StandardCharsets.US_ASCII));
    }

    /** Copies a validated response with a final status. */
    public static KvResult of(final KvResponseFlyweight response)
    {
        final KvStatus status = response.status();
        if (status == null || !status.isFinal())
        {
            throw new IllegalArgumentException("not a final status: " + status);
        }
        return new KvResult(Outcome.valueOf(status.name()), response.index(), response.token(),
            response.payloadBytes());
    }

    /** The value of a VALUE answer, the holder of a HELD one, the text of an ERROR; else empty. */
    public String payloadString()
    {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The line {@code conduit kv} prints: {@code ok}, {@code ok TOKEN}, {@code value V}, ..., {@code timeout}. */
    public String line()
    {
        switch (outcome)
        {
            case OK: return token != 0 ? "ok " + token : "ok";
            case VALUE: return "value " + payloadString();
            case MISSING: return "missing";
            case FAIL: return "fail";
            case HELD: return "held " + payloadString();
            case ERROR: return "error " + payloadString();
            default: return KvTextProtocol.TIMEOUT_LINE;
        }
    }

    @Override
    public byte[] payload()
    {
        return payload.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof KvResult that && outcome == that.outcome && index == that.index &&
            token == that.token && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * (31 * outcome.hashCode() + Long.hashCode(index)) + Long.hashCode(token)) +
            Arrays.hashCode(payload);
    }

    @Override
    public String toString()
    {
        return "KvResult{" + line() + " index=" + index + "}";
    }
}
