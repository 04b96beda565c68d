package io.conduit.failure;

/** What a {@link FailureDetectorNode} counts; read with {@link FailureDetectorNode#counter}. */
public enum FailureCounter
{
    /** Heartbeats the messaging layer accepted. */
    HEARTBEATS_SENT,
    HEARTBEATS_RECEIVED,
    /** Pings the messaging layer accepted. */
    PINGS_SENT,
    PINGS_RECEIVED,
    /** Replies the messaging layer accepted. */
    PONGS_SENT,
    /** Replies that counted as arrivals. */
    PONGS_RECEIVED,
    /** Replies to a ping already answered or never sent (duplicates, or from before this node restarted). */
    STALE_PONGS,
    /** Messages too short, of another version, or of an unknown type; dropped. */
    MALFORMED,
    /** Well-formed messages from a member id that is not a peer; dropped. */
    UNKNOWN_SENDER,
    /** Sends refused with {@code BACK_PRESSURED}. */
    SEND_BACK_PRESSURED,
    /** Sends refused with {@code NOT_CONNECTED}. */
    SEND_NOT_CONNECTED,
    /** Sends refused with any other code (closed, too large, unknown member). */
    SEND_FAILED,
    PEER_DOWN_EVENTS,
    PEER_UP_EVENTS
}
