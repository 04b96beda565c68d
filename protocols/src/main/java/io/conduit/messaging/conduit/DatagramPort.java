package io.conduit.messaging.conduit;

import org.agrona.MutableDirectBuffer;

/** Where {@link ConduitMessaging}'s datagrams go and come from: a UDP socket, or a simulated network node. */
public interface DatagramPort extends AutoCloseable
{
    /** The opaque key the engine uses for a member's address. */
    long remoteKey(int memberId);

    /** Reads up to {@code limit} waiting datagrams into {@code messaging.onDatagram}; returns how many. */
    int receive(ConduitMessaging messaging, long nowNs, int limit);

    /** A buffer the engine writes the next datagram into, at offset 0. */
    MutableDirectBuffer sendBuffer();

    /** Sends {@code length} bytes of {@link #sendBuffer()}; false when the datagram must be retried later. */
    boolean send(long remoteKey, int length);

    @Override
    void close();
}
