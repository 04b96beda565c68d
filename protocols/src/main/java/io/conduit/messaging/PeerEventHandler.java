package io.conduit.messaging;

/** Learns about a peer's link going up or down. */
public interface PeerEventHandler
{
    void onPeerUp(int memberId);

    void onPeerDown(int memberId);
}
