package io.conduit.member;

import org.agrona.DirectBuffer;

import io.conduit.node.RaftKvReplica;

/** {@link RaftKvReplica} as a {@link MemberEngine}: a straight delegation, peers' ids are inside the Raft messages. */
final class RaftMemberEngine implements MemberEngine
{
    private final RaftKvReplica replica;

    RaftMemberEngine(final RaftKvReplica replica)
    {
        this.replica = replica;
    }

    @Override
    public int onTick(final long nowNs)
    {
        return replica.onTick(nowNs);
    }

    @Override
    public void onPeerMessage(final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        replica.onPeerMessage(nowNs, buffer, offset, length);
    }

    @Override
    public void onClientRequest(final long nowNs, final long linkId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        replica.onClientRequest(nowNs, linkId, buffer, offset, length);
    }

    @Override
    public void onClientLinkClosed(final long linkId)
    {
        replica.onClientLinkClosed(linkId);
    }

    @Override
    public int process(final long nowNs)
    {
        return replica.process(nowNs);
    }

    @Override
    public int leader()
    {
        return replica.leader();
    }

    @Override
    public long term()
    {
        return replica.term();
    }
}
