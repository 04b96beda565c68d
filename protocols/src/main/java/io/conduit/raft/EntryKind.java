package io.conduit.raft;

/**
 * What a log entry carries. Everything but {@link #NORMAL} is for the engine, not the state machine: the edge applies
 * only {@code NORMAL} entries to its state machine and skips the others (they still advance the applied index).
 * The {@link #code()} is what storage and the wire carry; codes never change meaning.
 */
public enum EntryKind
{
    /** A client command for the state machine, or the empty no-op a new leader appends (Raft §8). */
    NORMAL(0),
    /** A membership change ({@link ConfChange#encode()}), in effect from the moment it is appended (thesis §4.1). */
    CONF_CHANGE(1);

    private static final EntryKind[] BY_CODE = {NORMAL, CONF_CHANGE};

    private final int code;

    EntryKind(final int code)
    {
        this.code = code;
    }

    /** The stable number storage and the wire use for this kind, in [0, 3]. */
    public int code()
    {
        return code;
    }

    /**
     * @param code a value of {@link #code()}.
     * @return the kind with that code.
     * @throws IllegalArgumentException for a code no kind has.
     */
    public static EntryKind fromCode(final int code)
    {
        if (code < 0 || code >= BY_CODE.length)
        {
            throw new IllegalArgumentException("no entry kind has code " + code);
        }
        return BY_CODE[code];
    }
}
