package io.conduit.kv;

import java.util.Arrays;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives a {@link KvStateMachine} as a replication engine would: stamped commands at increasing indexes. */
final class KvHarness
{
    /** One decoded response, with its raw bytes for byte-for-byte comparisons. */
    record Reply(KvStatus status, long clientId, long sequence, long index, long token, String payload, byte[] raw)
    {
        String line()
        {
            final KvResponseFlyweight response = new KvResponseFlyweight();
            response.wrap(new UnsafeBuffer(raw), 0, raw.length);
            return KvTextProtocol.format(response);
        }
    }

    final KvStateMachine machine;
    long index;
    long term = 1;
    long nowNs = 1_000_000_000L;

    KvHarness(final KvConfig config)
    {
        this.machine = new KvStateMachine(config);
    }

    KvHarness()
    {
        this(KvConfig.DEFAULT);
    }

    static UnsafeBuffer command(
        final long term, final long nowNs, final long clientId, final long sequence, final KvOperation operation)
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[operation.encodedLength()]);
        KvRequestFlyweight.encode(request, 0, clientId, sequence, Consistency.LINEARIZABLE, 0, operation);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[KvCommandFlyweight.HEADER_LENGTH + request.capacity()]);
        KvCommandFlyweight.encode(command, 0, term, nowNs, request, 0, request.capacity());
        return command;
    }

    /** Applies at the next index in the current term, stamped with the current time. */
    Reply apply(final long clientId, final long sequence, final KvOperation operation)
    {
        return applyRaw(++index, term, command(term, nowNs, clientId, sequence, operation));
    }

    Reply applyRaw(final long entryIndex, final long entryTerm, final UnsafeBuffer command)
    {
        index = entryIndex;
        final UnsafeBuffer out = new UnsafeBuffer(new byte[machine.responseCapacity()]);
        final int length = machine.apply(entryIndex, entryTerm, command, 0, command.capacity(), out, 0);
        return decode(out, length);
    }

    static Reply decode(final MutableDirectBuffer out, final int length)
    {
        final KvResponseFlyweight response = new KvResponseFlyweight().wrap(out, 0, length);
        final int valid = response.validate(KvConfig.DEFAULT);
        assertTrue(valid == length, () -> "invalid response: " + KvCodecError.describe(valid));
        final byte[] raw = new byte[length];
        out.getBytes(0, raw);
        return new Reply(response.status(), response.clientId(), response.sequence(), response.index(),
            response.token(), response.payloadString(), raw);
    }

    byte[] snapshot()
    {
        return snapshotOf(machine);
    }

    static byte[] snapshotOf(final KvStateMachine machine)
    {
        final ExpandableArrayBuffer collected = new ExpandableArrayBuffer();
        final int[] position = {0};
        machine.writeSnapshot((buffer, offset, length) ->
        {
            collected.putBytes(position[0], buffer, offset, length);
            position[0] += length;
        });
        return Arrays.copyOf(collected.byteArray(), position[0]);
    }
}
