package io.conduit.kv;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What a replication engine (Raft, chain replication) drives: committed commands in log order, snapshots out for
 * log compaction and in for a lagging or restarted member. Implementations are deterministic functions of the
 * command sequence, so every replica that applies the same log reaches the same state and the same responses.
 * <p>
 * Single-threaded: the engine's thread owns the instance.
 */
public interface ReplicatedStateMachine
{
    /**
     * Applies the committed entry at {@code index} and writes the response for its client into {@code out}.
     *
     * @param index   the entry's log index; must be greater than {@link #appliedIndex()}, else the engine has a bug
     *                and this throws {@link IllegalStateException}.
     * @param term    the entry's term; must not be below {@link #appliedTerm()} (log terms never decrease).
     * @param command the entry's bytes; length 0 is the leader's no-op entry, which only advances the index.
     * @return the response length written at {@code outOffset} (0 for a no-op entry).
     */
    int apply(long index, long term, DirectBuffer command, int offset, int length, MutableDirectBuffer out,
        int outOffset);

    /** The index of the last applied entry (or restored snapshot); never decreases. 0 before anything. */
    long appliedIndex();

    /** The term of the last applied entry (or restored snapshot). */
    long appliedTerm();

    /** The exact length {@link #writeSnapshot} will write now. */
    long snapshotLength();

    /** Streams the whole state as of {@link #appliedIndex()}; deterministic: equal states write equal bytes. */
    void writeSnapshot(SnapshotSink sink);

    /**
     * Replaces the whole state with a snapshot. Garbage is refused with an error code and leaves the state as it
     * was; so is a snapshot older than {@link #appliedIndex()}, which would move the applied index backwards.
     *
     * @return 0, or a negative {@link KvCodecError}.
     */
    int restoreSnapshot(DirectBuffer snapshot, int offset, int length);
}
