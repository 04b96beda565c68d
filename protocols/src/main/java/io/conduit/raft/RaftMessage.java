package io.conduit.raft;

import java.util.Arrays;
import java.util.List;

/**
 * One Raft message, as etcd's {@code raftpb.Message}: which fields matter depends on {@link #type()}.
 * <ul>
 *   <li>{@code index}/{@code logTerm}: for votes, the candidate's last entry; for APPEND, the entry preceding
 *       {@code entries}; for a rejected APPEND_RESPONSE, the rejected index, with {@code rejectHint}/{@code logTerm}
 *       naming the follower's last entry at or below it whose term is at most the leader's (fast backtracking).</li>
 *   <li>{@code commit}: the leader's commit index (APPEND), or the part of it safe for the follower (HEARTBEAT).</li>
 *   <li>{@code context}: on HEARTBEAT the leader's latest read sequence, echoed by HEARTBEAT_RESPONSE; on READ_INDEX
 *       and READ_INDEX_RESP the requesting follower's request id.</li>
 *   <li>INSTALL_SNAPSHOT (one chunk): {@code index}/{@code logTerm} are the snapshot's index and term,
 *       {@code voters}/{@code learners} its configuration, {@code snapshotSizeBytes} the whole data's length and
 *       {@code data} the bytes at {@code snapshotOffset}. INSTALL_SNAPSHOT_RESPONSE: {@code index}/{@code logTerm}
 *       name the snapshot, {@code snapshotOffset} is the next offset the follower expects, and {@code reject} means
 *       it refused the snapshot (larger than its limit).</li>
 * </ul>
 * A plain object for this increment; a flyweight over an Agrona buffer replaces it when the engine meets the wire.
 */
public final class RaftMessage
{
    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_IDS = new int[0];

    private final MessageType type;
    private final int from;
    private final int to;
    private final long term;
    private long logTerm;
    private long index;
    private long commit;
    private boolean reject;
    private long rejectHint;
    private long context;
    private boolean leaderTransfer;
    private List<LogEntry> entries = List.of();
    private long snapshotOffset;
    private long snapshotSizeBytes;
    private byte[] data = NO_BYTES;
    private int[] voters = NO_IDS;
    private int[] learners = NO_IDS;

    /**
     * @param type what the message is.
     * @param from sender id.
     * @param to   recipient id.
     * @param term sender's term (for a granted pre-vote, the term the candidate asked about).
     */
    public RaftMessage(final MessageType type, final int from, final int to, final long term)
    {
        this.type = type;
        this.from = from;
        this.to = to;
        this.term = term;
    }

    public MessageType type()
    {
        return type;
    }

    public int from()
    {
        return from;
    }

    public int to()
    {
        return to;
    }

    public long term()
    {
        return term;
    }

    public long logTerm()
    {
        return logTerm;
    }

    public RaftMessage logTerm(final long logTerm)
    {
        this.logTerm = logTerm;
        return this;
    }

    public long index()
    {
        return index;
    }

    public RaftMessage index(final long index)
    {
        this.index = index;
        return this;
    }

    public long commit()
    {
        return commit;
    }

    public RaftMessage commit(final long commit)
    {
        this.commit = commit;
        return this;
    }

    public boolean reject()
    {
        return reject;
    }

    public RaftMessage reject(final boolean reject)
    {
        this.reject = reject;
        return this;
    }

    public long rejectHint()
    {
        return rejectHint;
    }

    public RaftMessage rejectHint(final long rejectHint)
    {
        this.rejectHint = rejectHint;
        return this;
    }

    public long context()
    {
        return context;
    }

    public RaftMessage context(final long context)
    {
        this.context = context;
        return this;
    }

    /**
     * On VOTE: the campaign was started by the leader's TIMEOUT_NOW (thesis §3.10), so voters that still hear from
     * that leader vote anyway instead of ignoring the request under check-quorum's lease.
     */
    public boolean leaderTransfer()
    {
        return leaderTransfer;
    }

    public RaftMessage leaderTransfer(final boolean leaderTransfer)
    {
        this.leaderTransfer = leaderTransfer;
        return this;
    }

    /** Entries of an APPEND, consecutive from {@code index() + 1}; never null. */
    public List<LogEntry> entries()
    {
        return entries;
    }

    public RaftMessage entries(final List<LogEntry> entries)
    {
        this.entries = List.copyOf(entries);
        return this;
    }

    /** INSTALL_SNAPSHOT: where {@link #data()} starts in the snapshot; its response: the next offset expected. */
    public long snapshotOffset()
    {
        return snapshotOffset;
    }

    public RaftMessage snapshotOffset(final long snapshotOffset)
    {
        this.snapshotOffset = snapshotOffset;
        return this;
    }

    /** INSTALL_SNAPSHOT: the length of the whole snapshot's data. */
    public long snapshotSizeBytes()
    {
        return snapshotSizeBytes;
    }

    public RaftMessage snapshotSizeBytes(final long snapshotSizeBytes)
    {
        this.snapshotSizeBytes = snapshotSizeBytes;
        return this;
    }

    /** INSTALL_SNAPSHOT: this chunk's bytes; never null, owned by the message (do not modify). */
    public byte[] data()
    {
        return data;
    }

    /** Takes ownership of {@code data}; null means empty. */
    public RaftMessage data(final byte[] data)
    {
        this.data = data == null ? NO_BYTES : data;
        return this;
    }

    /** INSTALL_SNAPSHOT: the voters as of the snapshot's index; never null, do not modify. */
    public int[] voters()
    {
        return voters;
    }

    public RaftMessage voters(final int[] voters)
    {
        this.voters = voters.clone();
        return this;
    }

    /** INSTALL_SNAPSHOT: the learners as of the snapshot's index; never null, do not modify. */
    public int[] learners()
    {
        return learners;
    }

    public RaftMessage learners(final int[] learners)
    {
        this.learners = learners.clone();
        return this;
    }

    @Override
    public String toString()
    {
        return type + "{" + from + "->" + to + " term=" + term + " logTerm=" + logTerm + " index=" + index +
            " commit=" + commit + (context != 0 ? " context=" + context : "") +
            (leaderTransfer ? " TRANSFER" : "") +
            (reject ? " REJECT hint=" + rejectHint : "") +
            (entries.isEmpty() ? "" : " entries=" + entries.get(0).index() + ".." +
            entries.get(entries.size() - 1).index()) +
            (snapshotOffset != 0 || snapshotSizeBytes != 0 || data.length != 0 ? " snapshot@" + snapshotOffset +
            "+" + data.length + "/" + snapshotSizeBytes + " voters=" + Arrays.toString(voters) : "") + '}';
    }
}
