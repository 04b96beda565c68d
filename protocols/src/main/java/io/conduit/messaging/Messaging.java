package io.conduit.messaging;

import org.agrona.DirectBuffer;

/**
 * Point-to-point messages between the members of a fixed group, as a protocol engine needs them: send to a member
 * id, poll what arrived, learn when a peer's link goes down or comes back. Per peer, messages arrive in the order
 * sent, without loss on a healthy link; a link that fails reports {@link PeerEventHandler#onPeerDown} and may lose
 * what was in flight, as the network would.
 *
 * <p>One thread drives a binding: it calls {@link #doWork()} in its duty cycle (the binding does its I/O there or
 * on a thread of its own) and {@link #send}/{@link #poll}. Nothing allocates per message: handlers get a view of
 * the binding's buffer that is valid only during the call.
 */
public interface Messaging extends AutoCloseable
{
    /** The message was not sent: the link to the member is full; try again later. */
    long BACK_PRESSURED = -1;
    /** The message was not sent: no link to the member right now (not yet up, or down). */
    long NOT_CONNECTED = -2;
    /** The message was not sent: this binding is closed. */
    long CLOSED = -3;
    /** The message was not sent: longer than {@link #maxMessageLength()}. */
    long MESSAGE_TOO_LARGE = -4;
    /** The message was not sent: no such member, or the local member itself. */
    long UNKNOWN_MEMBER = -5;

    /** This node's member id. */
    int localMemberId();

    /** Queues one message for {@code memberId} without blocking. Returns a value >= 0 on success, else a code above. */
    long send(int memberId, DirectBuffer buffer, int offset, int length);

    /** Hands up to {@code limit} received messages to the handler, oldest first per peer. Returns how many. */
    int poll(MessageHandler handler, int limit);

    /** Reports peers whose link came up or went down since the last call, in order. Returns how many events. */
    int pollPeerEvents(PeerEventHandler handler, int limit);

    /** Whether a message to {@code memberId} can be sent now (its link is up). */
    boolean isConnected(int memberId);

    /** Runs the binding's I/O for one duty cycle when it runs on the caller's thread; returns the work done. */
    int doWork();

    /** The longest message {@link #send} accepts. */
    int maxMessageLength();

    /** Closes every link at once (peers see this member go down) and releases resources. */
    @Override
    void close();

    /** Names a send result code, for messages and logs. */
    static String describe(final long result)
    {
        if (result >= 0)
        {
            return "OK";
        }
        switch ((int)result)
        {
            case (int)BACK_PRESSURED: return "BACK_PRESSURED";
            case (int)NOT_CONNECTED: return "NOT_CONNECTED";
            case (int)CLOSED: return "CLOSED";
            case (int)MESSAGE_TOO_LARGE: return "MESSAGE_TOO_LARGE";
            case (int)UNKNOWN_MEMBER: return "UNKNOWN_MEMBER";
            default: return "UNKNOWN(" + result + ")";
        }
    }
}
