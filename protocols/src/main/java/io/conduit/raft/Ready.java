package io.conduit.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * What the node wants done, collected by {@link RaftNode#ready()} and acknowledged by {@link RaftNode#advance()}.
 * The edge handles it in this order (etcd's contract):
 * <ol>
 *   <li>send {@link #messages()} (they may leave at once: a leader's AppendEntries go out while it writes its own
 *       log, Raft thesis §10.2.1);</li>
 *   <li>if {@link #snapshot()} is not null, install it in storage
 *       ({@link RaftStorage#applySnapshot(SnapshotMetadata, byte[])}), before the entries, which follow it;</li>
 *   <li>persist {@link #entries()} and {@link #hardState()} (if not null) durably, in one group commit;</li>
 *   <li>only then send {@link #messagesAfterPersist()}: votes and acknowledgements promise durable state (the
 *       acknowledgement of a snapshot among them);</li>
 *   <li>if there was a snapshot, restore the state machine from its data: the applied index becomes its index;</li>
 *   <li>apply {@link #committedEntries()} to the state machine, in order (they follow the snapshot, if any),
 *       skipping entries of kind {@link EntryKind#CONF_CHANGE}, which are the engine's;</li>
 *   <li>remember {@link #readStates()}: serve each read once the applied index reaches its index;</li>
 *   <li>call {@link RaftNode#advance()}.</li>
 * </ol>
 * One instance per node, reused; its lists are valid until {@code advance()}.
 */
public final class Ready
{
    final ArrayList<LogEntry> entries = new ArrayList<>();
    final ArrayList<LogEntry> committedEntries = new ArrayList<>();
    ArrayList<RaftMessage> messages = new ArrayList<>();
    ArrayList<RaftMessage> messagesAfterPersist = new ArrayList<>();
    ArrayList<ReadState> readStates = new ArrayList<>();
    HardState hardState;
    Snapshot snapshot;

    /** The new hard state to persist, or null when unchanged. */
    public HardState hardState()
    {
        return hardState;
    }

    /**
     * A snapshot received from the leader, to install in storage before {@link #entries()} and to restore the state
     * machine from before {@link #committedEntries()}; null when none. {@link RaftNode#advance()} checks that the
     * storage holds it.
     */
    public Snapshot snapshot()
    {
        return snapshot;
    }

    /** Entries to append to stable storage (the first may overwrite a stale stored suffix). */
    public List<LogEntry> entries()
    {
        return entries;
    }

    /**
     * Committed entries to apply, in index order. Apply only {@link EntryKind#NORMAL} ones to the state machine:
     * {@link EntryKind#CONF_CHANGE} entries are the engine's (already in effect since they were appended, thesis
     * §4.1); skip them, but they count towards the applied index like any other.
     */
    public List<LogEntry> committedEntries()
    {
        return committedEntries;
    }

    /** Messages that may be sent before persisting. */
    public List<RaftMessage> messages()
    {
        return messages;
    }

    /** Messages that must wait until {@link #entries()} and {@link #hardState()} are durable. */
    public List<RaftMessage> messagesAfterPersist()
    {
        return messagesAfterPersist;
    }

    /**
     * Reads confirmed since the last ready (thesis §6.4): serve each once {@link RaftNode#appliedIndex()} reaches its
     * {@link ReadState#index()}.
     */
    public List<ReadState> readStates()
    {
        return readStates;
    }

    void clear()
    {
        entries.clear();
        committedEntries.clear();
        messages.clear();
        messagesAfterPersist.clear();
        readStates.clear();
        hardState = null;
        snapshot = null;
    }
}
