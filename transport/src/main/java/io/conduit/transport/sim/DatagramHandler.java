package io.conduit.transport.sim;

import org.agrona.DirectBuffer;

/**
 * Receives datagrams from {@link SimNetwork#deliver}. The buffer's contents are valid only during the call: the
 * network reuses the storage afterwards, so a handler that keeps bytes must copy them. A handler may call
 * {@link SimNetwork#send} (an engine replying at once), but not {@link SimNetwork#deliver} or
 * {@link SimNetwork#advanceTo}.
 */
@FunctionalInterface
public interface DatagramHandler
{
    void onDatagram(int fromNode, int toNode, DirectBuffer buffer, int offset, int length);
}
