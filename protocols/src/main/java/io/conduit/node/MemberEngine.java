package io.conduit.node;

import org.agrona.DirectBuffer;

/**
 * What a member's edge loop ({@code io.conduit.member.MemberAgent}) drives: a pure replication engine with its state
 * machine ({@link RaftKvReplica}, or chain replication's {@code ChainMember}), seen through the inputs every engine
 * shares. Time is the edge's clock, read once per duty cycle; outputs leave through the outboxes the engine was built
 * with. Pure, so engines implement it directly and the edge needs no adapters.
 */
public interface MemberEngine
{
    /** Advances the engine's timers to {@code nowNs}; returns the work done. */
    int onTick(long nowNs);

    /** One message from a peer member, as its binding delivered it (valid only during the call). */
    void onPeerMessage(long nowNs, int fromMemberId, DirectBuffer buffer, int offset, int length);

    /** A peer's link came up (again): engines that resynchronise per link (chain replication) start here. */
    default void onPeerUp(final long nowNs, final int memberId)
    {
    }

    /** A peer's link went down; what was in flight on it may be lost. */
    default void onPeerDown(final long nowNs, final int memberId)
    {
    }

    /** One client request ({@code KvRequestFlyweight}) from a network or in-process client link. */
    void onClientRequest(long nowNs, long linkId, DirectBuffer buffer, int offset, int length);

    /** The client link is gone: nothing more is sent to it. */
    void onClientLinkClosed(long linkId);

    /** Does the engine's pending work (persist, send, apply, answer); returns the work done, 0 when idle. */
    int process(long nowNs);

    /** The member this engine believes clients should write to (Raft: the leader; chain: the head); 0 unknown. */
    int leader();

    /** A number that grows with every change of leadership or configuration (Raft: the term; chain: the epoch). */
    long term();
}
