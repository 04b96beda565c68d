package io.conduit.member;

/** How members of a cluster reach each other; clients always use Conduit's UDP transport on the member address. */
public enum PeerTransport
{
    /** Peers share the member's own HOST:PORT with clients, over Conduit's reliable UDP transport. */
    CONDUIT,
    /** Peers talk over Aeron UDP channels on HOST:(PORT + {@link #AERON_PORT_OFFSET}), embedded media driver each. */
    AERON;

    /** Where Aeron peer traffic goes relative to a member's client address (issue 5's contract). */
    public static final int AERON_PORT_OFFSET = 10_000;
}
