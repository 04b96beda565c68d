package io.conduit.messaging.conduit;

import org.agrona.DirectBuffer;

/** Receives what clients sent over their links, from {@link ConduitMessaging#pollClients}. */
public interface ClientLinkHandler
{
    /** One message from a client; the buffer is valid only during the call. Per link, in the order sent. */
    void onClientMessage(long linkId, DirectBuffer buffer, int offset, int length);

    /** The link is gone (closed, reset or dead); its id is never reused. Comes after the link's last message. */
    void onClientLinkClosed(long linkId);
}
