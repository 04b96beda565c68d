package io.conduit.raft;

/**
 * One replicated log entry. Immutable; the payload array is owned by the entry once handed over, so callers must not
 * change it afterwards. An empty {@link EntryKind#NORMAL} payload is the no-op entry a new leader appends (Raft §8);
 * a {@link EntryKind#CONF_CHANGE} entry carries an encoded {@link ConfChange} and is not for the state machine.
 */
public final class LogEntry
{
    private static final byte[] EMPTY = new byte[0];

    private final long term;
    private final long index;
    private final EntryKind kind;
    private final byte[] payload;

    /**
     * @param term    the leader's term when the entry was created, at least 1.
     * @param index   the entry's position in the log, at least 1.
     * @param payload the command; null means empty.
     */
    public LogEntry(final long term, final long index, final byte[] payload)
    {
        this(term, index, EntryKind.NORMAL, payload);
    }

    /**
     * @param term    the leader's term when the entry was created, at least 1.
     * @param index   the entry's position in the log, at least 1.
     * @param kind    what the payload is.
     * @param payload the command or configuration change; null means empty.
     */
    public LogEntry(final long term, final long index, final EntryKind kind, final byte[] payload)
    {
        if (term < 1 || index < 1)
        {
            throw new IllegalArgumentException("term and index must be positive: term=" + term + " index=" + index);
        }
        if (kind == null)
        {
            throw new IllegalArgumentException("kind must be given");
        }
        this.term = term;
        this.index = index;
        this.kind = kind;
        this.payload = payload == null ? EMPTY : payload;
    }

    public long term()
    {
        return term;
    }

    public long index()
    {
        return index;
    }

    /** What the payload is; the edge applies only {@link EntryKind#NORMAL} entries to its state machine. */
    public EntryKind kind()
    {
        return kind;
    }

    /** The command bytes; do not modify. */
    public byte[] payload()
    {
        return payload;
    }

    /** Payload size, the unit of the byte limits on batching. */
    public int sizeBytes()
    {
        return payload.length;
    }

    @Override
    public String toString()
    {
        return "LogEntry{term=" + term + ", index=" + index + (kind == EntryKind.NORMAL ? "" : ", " + kind) +
            ", payloadBytes=" + payload.length + '}';
    }
}
