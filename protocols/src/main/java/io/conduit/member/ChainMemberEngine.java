package io.conduit.member;

import org.agrona.DirectBuffer;

import io.conduit.chain.control.ChainMember;

/** {@link ChainMember} as a {@link MemberEngine}: writes go to the head, which is what "leader" means to clients. */
final class ChainMemberEngine implements MemberEngine
{
    private final ChainMember member;

    ChainMemberEngine(final ChainMember member)
    {
        this.member = member;
    }

    @Override
    public int onTick(final long nowNs)
    {
        return member.onTick(nowNs);
    }

    @Override
    public void onPeerMessage(final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        member.onPeerMessage(nowNs, fromMemberId, buffer, offset, length);
    }

    @Override
    public void onPeerUp(final long nowNs, final int memberId)
    {
        member.onPeerUp(nowNs, memberId);
    }

    @Override
    public void onPeerDown(final long nowNs, final int memberId)
    {
        member.onPeerDown(nowNs, memberId);
    }

    @Override
    public void onClientRequest(final long nowNs, final long linkId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        member.onClientRequest(nowNs, linkId, buffer, offset, length);
    }

    @Override
    public void onClientLinkClosed(final long linkId)
    {
        member.onClientLinkClosed(linkId);
    }

    @Override
    public int process(final long nowNs)
    {
        return member.process(nowNs);
    }

    @Override
    public int leader()
    {
        return member.head();
    }

    @Override
    public long term()
    {
        return member.term();
    }
}
