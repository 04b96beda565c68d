package io.conduit.raft;

import java.util.ArrayList;

/**
 * The configurations a node's log implies (Raft thesis §4.1): a base, as of the snapshot index (or the bootstrap
 * voters for a log never snapshotted), then one configuration per {@link EntryKind#CONF_CHANGE} entry in the log
 * after it. A change is in effect once appended, so the newest is the node's {@link #current()} configuration; a
 * truncated suffix takes its changes with it and the node falls back to the one before (thesis §4.1: "a log entry
 * for a configuration change can be removed ... the server must be prepared to fall back"). Entries at or below the
 * applied index are folded into the base, so the history holds only changes not yet applied: few, as a leader
 * proposes one at a time.
 */
final class ConfigurationHistory
{
    private long baseIndex;
    private Configuration base;
    private final ArrayList<Long> changeIndexes = new ArrayList<>();
    private final ArrayList<Configuration> changed = new ArrayList<>();

    ConfigurationHistory(final long baseIndex, final Configuration base)
    {
        reset(baseIndex, base);
    }

    /** A snapshot replaced the log: its configuration is all there is. */
    void reset(final long index, final Configuration configuration)
    {
        baseIndex = index;
        base = configuration;
        changeIndexes.clear();
        changed.clear();
    }

    /**
     * Takes note of an entry appended at the end of the log.
     *
     * @throws IllegalStateException for a conf change entry whose payload is malformed or does not apply.
     */
    void appended(final LogEntry entry)
    {
        if (entry.kind() != EntryKind.CONF_CHANGE)
        {
            return;
        }
        final ConfChange change;
        try
        {
            change = ConfChange.decode(entry.payload());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("malformed conf change entry " + entry + ": " + ex.getMessage(), ex);
        }
        changeIndexes.add(entry.index());
        changed.add(current().apply(change));
    }

    /** The log lost every entry from {@code index} on: their changes are undone. */
    void truncatedFrom(final long index)
    {
        while (!changeIndexes.isEmpty() && changeIndexes.get(changeIndexes.size() - 1) >= index)
        {
            changeIndexes.remove(changeIndexes.size() - 1);
            changed.remove(changed.size() - 1);
        }
    }

    /** The configuration in effect: the newest in the log. */
    Configuration current()
    {
        return changed.isEmpty() ? base : changed.get(changed.size() - 1);
    }

    /** Index of the newest conf change entry in the log, or the base's index when there is none after it. */
    long lastChangeIndex()
    {
        return changeIndexes.isEmpty() ? baseIndex : changeIndexes.get(changeIndexes.size() - 1);
    }

    /** The configuration as of {@code index}, which must not lie below the base (the applied index, or later). */
    Configuration at(final long index)
    {
        if (index < baseIndex)
        {
            throw new IllegalArgumentException("configuration at " + index + " is folded into the base at " +
                baseIndex);
        }
        for (int i = changeIndexes.size() - 1; i >= 0; i--)
        {
            if (changeIndexes.get(i) <= index)
            {
                return changed.get(i);
            }
        }
        return base;
    }

    /** Folds changes at or below {@code index} (applied) into the base. */
    void foldTo(final long index)
    {
        if (index <= baseIndex)
        {
            return;
        }
        base = at(index);
        baseIndex = index;
        while (!changeIndexes.isEmpty() && changeIndexes.get(0) <= index)
        {
            changeIndexes.remove(0);
            changed.remove(0);
        }
    }
}
