package io.conduit.chain.control;

import java.util.Arrays;

import io.conduit.chain.ChainConfiguration;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.node.ClientOutbox;
import io.conduit.node.MemberEngine;
import io.conduit.node.PeerOutbox;
import io.conduit.raft.RaftStorage;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A control-only member of a chain with a separate control plane: a Raft voter running the
 * {@link ChainControlPlane} (configuration manager, failure detector, lease grants) and no chain replica. The chain
 * members are Raft learners of the same group ({@link ChainControlConfig}). The edge drives it as it drives a
 * {@link ChainMember} (same contract, same {@link PlaneTag}ged peer messages); CHAIN messages are not for it and are
 * counted as malformed.
 * <p>
 * It holds no data, so every client request is sent on: writes to the head, reads to the tail (NOT_LEADER with that
 * member as hint), RETRY while no chain exists yet.
 */
public final class ChainControlMember implements MemberEngine
{
    private final int memberId;
    private final KvConfig kvConfig;
    private final ChainControlPlane control;
    private final ClientOutbox clients;
    private final int[] otherMembers;
    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private final UnsafeBuffer responseBuffer;

    private long malformedPeerMessages;
    private long redirects;
    private long droppedResponses;

    /**
     * @param config  identity, Raft timing, chain members (none of them this member), detector, leases.
     * @param kv      the limits client requests are validated against.
     * @param storage the control plane's Raft log and hard state; made durable by {@code persist}.
     * @param persist the storage's fsync; a no-op for memory.
     * @param peers   where tagged messages for other members go.
     * @param clients where client responses (redirects) go.
     */
    public ChainControlMember(
        final ChainControlConfig config,
        final KvConfig kv,
        final RaftStorage storage,
        final Runnable persist,
        final PeerOutbox peers,
        final ClientOutbox clients)
    {
        this.memberId = config.raft().id();
        if (Arrays.stream(config.chainMembers()).anyMatch(member -> member == memberId))
        {
            throw new IllegalArgumentException("member " + memberId + " is a chain member: run a ChainMember");
        }
        this.kvConfig = kv;
        this.clients = clients;
        this.otherMembers = Arrays.stream(config.allMembers()).filter(member -> member != memberId).toArray();
        this.responseBuffer = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(kv)]);
        this.control = new ChainControlPlane(config, storage, persist, peers);
    }

    @Override
    public int onTick(final long nowNs)
    {
        return control.onTick(nowNs);
    }

    @Override
    public void onPeerMessage(
        final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PlaneTag.TAG_LENGTH || Arrays.binarySearch(otherMembers, fromMemberId) < 0)
        {
            malformedPeerMessages++;
            return;
        }
        final byte tag = buffer.getByte(offset);
        if (tag == PlaneTag.CHAIN || !PlaneTag.isKnown(tag))
        {
            malformedPeerMessages++;
            return;
        }
        control.onPeerMessage(nowNs, fromMemberId, tag, buffer, offset + PlaneTag.TAG_LENGTH,
            length - PlaneTag.TAG_LENGTH);
    }

    @Override
    public void onPeerUp(final long nowNs, final int member)
    {
        if (Arrays.binarySearch(otherMembers, member) >= 0)
        {
            control.onPeerUp(nowNs, member);
        }
    }

    @Override
    public void onPeerDown(final long nowNs, final int member)
    {
        if (Arrays.binarySearch(otherMembers, member) >= 0)
        {
            control.onPeerDown(nowNs, member);
        }
    }

    /** Sends the client to the head (writes) or the tail (reads); RETRY before any chain exists. */
    @Override
    public void onClientRequest(
        final long nowNs, final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int valid = request.wrap(buffer, offset, length).validate(kvConfig);
        final boolean readable = length >= KvRequestFlyweight.HEADER_LENGTH;
        final long clientId = readable ? request.clientId() : 0;
        final long sequence = readable ? request.sequence() : 0;
        final int responseLength;
        if (valid < 0)
        {
            responseLength = KvResponseFlyweight.encodeError(responseBuffer, 0, clientId, sequence, 0,
                "malformed request");
        }
        else
        {
            final ChainConfiguration configuration = control.configuration();
            final int hint = configuration == null ? 0 :
                request.op() == KvOp.GET ? configuration.tail() : configuration.head();
            if (hint == 0)
            {
                responseLength = KvResponseFlyweight.encode(responseBuffer, 0, clientId, sequence, KvStatus.RETRY, 0);
            }
            else
            {
                redirects++;
                responseLength = KvResponseFlyweight.encodeNotLeader(responseBuffer, 0, clientId, sequence, hint);
            }
        }
        if (!clients.send(linkId, responseBuffer, 0, responseLength))
        {
            droppedResponses++;
        }
    }

    @Override
    public void onClientLinkClosed(final long linkId)
    {
    }

    @Override
    public int process(final long nowNs)
    {
        return control.process(nowNs);
    }

    /** {@code MemberEngine.leader()}: the head of the applied configuration, where clients write; 0 for none. */
    @Override
    public int leader()
    {
        final ChainConfiguration configuration = control.configuration();
        return configuration == null ? 0 : configuration.head();
    }

    /** {@code MemberEngine.term()}: the applied configuration's epoch; 0 for none. */
    @Override
    public long term()
    {
        final ChainConfiguration configuration = control.configuration();
        return configuration == null ? 0 : configuration.epoch();
    }

    public int memberId()
    {
        return memberId;
    }

    public ChainControlPlane control()
    {
        return control;
    }

    /** When something is next due without input (a tick, the detector). */
    public long nextDeadlineNs()
    {
        return control.nextDeadlineNs();
    }

    /** The longest tagged peer message this member sends. */
    public int maxPeerMessageLength()
    {
        return control.maxPeerMessageLength();
    }

    /** Peer messages dropped: too short, CHAIN or unknown tag, unknown sender, or refused by the control plane. */
    public long malformedPeerMessages()
    {
        return malformedPeerMessages + control.malformedPeerMessages();
    }

    /** Clients sent to the head or tail. */
    public long redirects()
    {
        return redirects;
    }

    /** Client answers the client outbox refused. */
    public long droppedResponses()
    {
        return droppedResponses;
    }

    @Override
    public String toString()
    {
        return "ChainControlMember{" + memberId + " " + control + '}';
    }
}
