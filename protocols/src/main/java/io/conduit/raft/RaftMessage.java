package io.conduit.raft;

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
 * </ul>
 * A plain object for this increment; a flyweight over an Agrona buffer replaces it when the engine meets the wire.
 */
public final class RaftMessage
{
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

    @Override
    public String toString()
    {
        return type + "{" + from + "->" + to + " term=" + term + " logTerm=" + logTerm + " index=" + index +
            " commit=" + commit + (context != 0 ? " context=" + context : "") +
            (leaderTransfer ? " TRANSFER" : "") +
            (reject ? " REJECT hint=" + rejectHint : "") +
            (entries.isEmpty() ? "" : " entries=" + entries.get(0).index() + ".." +
            entries.get(entries.size() - 1).index()) + '}';
    }
}
