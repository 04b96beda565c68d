package io.conduit.node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.raft.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The ground truth of a simulated cluster: the applied log, learnt from every member as it applies, and the value
 * of each key after every index, computed by a state machine of its own. Learning an index a second time checks
 * that the member applied the same entry there as every member before it (state machine safety, Raft §5.4.3).
 * <p>
 * With compaction, members must be learnt from before they discard entries, and what replaces entries is a
 * snapshot: {@link #stateAt(long)} gives the state machine's snapshot bytes after any applied index (the snapshot
 * codec is canonical, so equal states have equal bytes), for comparing every snapshot a member takes, installs or
 * restarts from.
 */
final class LogOracle
{
    private final ArrayList<LogEntry> log = new ArrayList<>();
    private final ArrayList<long[]> sessionAt = new ArrayList<>();
    private final ArrayList<byte[]> stateAfter = new ArrayList<>();
    private final KvStateMachine machine;
    private final KvConfig config;
    private final Map<String, TreeMap<Long, String>> valuesByKey = new HashMap<>();
    private final KvCommandFlyweight command = new KvCommandFlyweight();
    private final UnsafeBuffer response;
    private final List<LogEntry> scratch = new ArrayList<>();

    LogOracle(final KvConfig config)
    {
        this.config = config;
        this.machine = new KvStateMachine(config);
        this.response = new UnsafeBuffer(new byte[machine.responseCapacity()]);
    }

    /** Compares and learns entries {@code fromIndex..appliedIndex} of a member's log; returns the new checked index. */
    long learn(final int memberId, final CrashableStorage storage, final long fromIndex, final long appliedIndex)
    {
        if (appliedIndex < fromIndex)
        {
            return fromIndex - 1;
        }
        if (fromIndex < storage.firstIndex())
        {
            throw new AssertionError("member " + memberId + " compacted entries from " + fromIndex + " to " +
                (storage.firstIndex() - 1) + " before anyone learnt them");
        }
        scratch.clear();
        storage.entries(fromIndex, appliedIndex + 1, Long.MAX_VALUE, scratch);
        for (final LogEntry entry : scratch)
        {
            final long index = entry.index();
            if (index <= log.size())
            {
                final LogEntry known = log.get((int)index - 1);
                if (known.term() != entry.term() || !Arrays.equals(known.payload(), entry.payload()))
                {
                    throw new AssertionError("member " + memberId + " applied " + entry + " at " + index +
                        " where another member applied " + known);
                }
            }
            else if (index == log.size() + 1)
            {
                append(entry);
            }
            else
            {
                throw new AssertionError("member " + memberId + " applied " + index + " past the known log " +
                    log.size());
            }
        }
        return appliedIndex;
    }

    private void append(final LogEntry entry)
    {
        log.add(entry);
        final byte[] payload = entry.payload();
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        machine.apply(entry.index(), entry.term(), buffer, 0, payload.length, response, 0);
        stateAfter.add(snapshotOf(machine));
        if (payload.length == 0 || command.wrap(buffer, 0, payload.length).validate(config) < 0)
        {
            sessionAt.add(new long[]{0, 0});
            return;
        }
        final KvRequestFlyweight request = command.request();
        sessionAt.add(new long[]{request.clientId(), request.sequence()});
        final KvOp op = request.op();
        if (op == KvOp.PUT || op == KvOp.CAS || op == KvOp.DELETE)
        {
            final byte[] key = request.keyBytes();
            final byte[] value = machine.read(key);
            valuesByKey.computeIfAbsent(new String(key, StandardCharsets.US_ASCII), k -> new TreeMap<>())
                .put(entry.index(), value == null ? null : new String(value, StandardCharsets.US_ASCII));
        }
    }

    /** A state machine's snapshot bytes, for comparing states. */
    static byte[] snapshotOf(final KvStateMachine stateMachine)
    {
        final byte[] bytes = new byte[(int)stateMachine.snapshotLength()];
        final UnsafeBuffer out = new UnsafeBuffer(bytes);
        final int[] position = new int[1];
        stateMachine.writeSnapshot((buffer, offset, length) ->
        {
            out.putBytes(position[0], buffer, offset, length);
            position[0] += length;
        });
        return bytes;
    }

    /** The state machine's snapshot once the log up to {@code index} (at least 1) was applied. */
    byte[] stateAt(final long index)
    {
        if (index < 1 || index > log.size())
        {
            throw new AssertionError("no member has applied index " + index + " yet (known " + log.size() + ")");
        }
        return stateAfter.get((int)index - 1);
    }

    /** How many entries are known applied somewhere. */
    long appliedIndex()
    {
        return log.size();
    }

    /** The value of {@code key} once the log up to {@code index} was applied; null when missing. */
    String valueAt(final String key, final long index)
    {
        if (index > log.size())
        {
            throw new AssertionError("no member has applied index " + index + " yet (known " + log.size() + ")");
        }
        final TreeMap<Long, String> values = valuesByKey.get(key);
        if (values == null)
        {
            return null;
        }
        final Map.Entry<Long, String> floor = values.floorEntry(index);
        return floor == null ? null : floor.getValue();
    }

    /** Whether the entry at {@code index} carries the request {@code clientId}/{@code sequence}. */
    boolean isRequestAt(final long index, final long clientId, final long sequence)
    {
        if (index < 1 || index > log.size())
        {
            return false;
        }
        final long[] session = sessionAt.get((int)index - 1);
        return session[0] == clientId && session[1] == sequence;
    }

    /** The indexes of the entries that carry {@code clientId}'s request {@code sequence}, ascending. */
    List<Long> indexesOf(final long clientId, final long sequence)
    {
        final List<Long> indexes = new ArrayList<>();
        for (int i = 0; i < sessionAt.size(); i++)
        {
            if (sessionAt.get(i)[0] == clientId && sessionAt.get(i)[1] == sequence)
            {
                indexes.add(i + 1L);
            }
        }
        return indexes;
    }

    /** How many entries carry {@code clientId}'s request {@code sequence} (retries re-proposed by new leaders). */
    int countRequest(final long clientId, final long sequence)
    {
        int count = 0;
        for (final long[] session : sessionAt)
        {
            count += session[0] == clientId && session[1] == sequence ? 1 : 0;
        }
        return count;
    }
}
