package io.conduit.kv;

/**
 * Read consistency a client asks for (design notes §10.3). Writes always go through the replicated log and are
 * linearizable whatever a request says; the level only changes how a {@code get} is served.
 */
public enum Consistency
{
    /** Served by the leader once a ReadIndex round confirms it still leads (§10.3.1): sees acknowledged writes. */
    LINEARIZABLE(1),
    /**
     * Served by any replica whose applied index has reached the request's {@code minIndex}, the highest index the
     * client has already seen (§10.3.2): one total order, lagging in real time but never going back for that client.
     */
    SEQUENTIAL(2),
    /** Served by any replica from its local state (§10.3.3): may go back in time when the client switches replica. */
    EVENTUAL(3);

    private final int code;

    Consistency(final int code)
    {
        this.code = code;
    }

    /** The byte on the wire. */
    public int code()
    {
        return code;
    }

    /** The level for a wire byte, or {@code null} for an unknown one (decoders never throw). */
    public static Consistency fromCode(final int code)
    {
        switch (code)
        {
            case 1: return LINEARIZABLE;
            case 2: return SEQUENTIAL;
            case 3: return EVENTUAL;
            default: return null;
        }
    }
}
