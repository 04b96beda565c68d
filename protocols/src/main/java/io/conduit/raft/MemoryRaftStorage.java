package io.conduit.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link RaftStorage} in memory: what the simulator keeps across a simulated crash. Not thread-safe.
 */
public final class MemoryRaftStorage implements RaftStorage
{
    private final ArrayList<LogEntry> log = new ArrayList<>();
    private HardState hardState = HardState.EMPTY;

    @Override
    public HardState hardState()
    {
        return hardState;
    }

    @Override
    public long firstIndex()
    {
        return 1;
    }

    @Override
    public long lastIndex()
    {
        return log.size();
    }

    @Override
    public long term(final long index)
    {
        if (index == 0)
        {
            return 0;
        }
        checkRange(index);
        return log.get((int)(index - 1)).term();
    }

    @Override
    public void entries(
        final long fromIndex, final long toIndexExclusive, final long maxBytes, final List<LogEntry> out)
    {
        long bytes = 0;
        for (long i = fromIndex; i < toIndexExclusive; i++)
        {
            checkRange(i);
            final LogEntry entry = log.get((int)(i - 1));
            bytes += entry.sizeBytes();
            if (i > fromIndex && bytes > maxBytes)
            {
                return;
            }
            out.add(entry);
        }
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        if (entries.isEmpty())
        {
            return;
        }
        final long first = entries.get(0).index();
        if (first < 1 || first > lastIndex() + 1)
        {
            throw new IllegalArgumentException("append at " + first + " would leave a gap after " + lastIndex());
        }
        truncateSuffix(first);
        long expected = first;
        for (final LogEntry entry : entries)
        {
            if (entry.index() != expected++)
            {
                throw new IllegalArgumentException("entries not consecutive at " + entry);
            }
            log.add(entry);
        }
    }

    @Override
    public void truncateSuffix(final long fromIndex)
    {
        while (log.size() >= fromIndex && !log.isEmpty())
        {
            log.remove(log.size() - 1);
        }
    }

    @Override
    public void saveHardState(final HardState state)
    {
        this.hardState = state;
    }

    private void checkRange(final long index)
    {
        if (index < 1 || index > log.size())
        {
            throw new IllegalArgumentException("index " + index + " outside [1, " + log.size() + "]");
        }
    }
}
