package io.conduit.member;

import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

import io.conduit.chain.ChainConfiguration;
import io.conduit.chain.control.ChainControlMember;
import io.conduit.chain.control.ChainMember;
import io.conduit.clock.MonotonicClock;
import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.PeerEventHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.conduit.ClientLinkHandler;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.node.ClientOutbox;
import io.conduit.node.MemberEngine;
import io.conduit.node.PeerOutbox;

/**
 * One member's duty cycle: read the clock once, run the bindings' I/O, hand peer events and messages, network client
 * requests and in-process client requests to the pure engine in bounded batches, tick it, and let it do its pending
 * work (for Raft: drain Ready — send, group-commit fsync, apply, answer). Everything here runs on the agent's thread; the replica never sees a clock,
 * a socket or a file of its own.
 * <p>
 * The peer binding and the client binding are the same {@link ConduitMessaging} with {@code --transport conduit},
 * or an Aeron binding for peers plus a peerless Conduit binding for clients with {@code --transport aeron}.
 */
public final class MemberAgent implements Agent, MessageHandler, ClientLinkHandler, PeerEventHandler,
    LocalClientRings.LocalRequestHandler
{
    private static final int BATCH = 256;

    private final String roleName;
    private final MonotonicClock clock;
    private final Messaging peers;
    private final ConduitMessaging clients;
    private final LocalClientRings localClients;
    private final PeerOutbox peerOutbox = this::sendToPeer;
    private final ClientOutbox clientOutbox = this::sendToClient;
    private MemberEngine replica;
    private long nowNs;
    private long peerSendFailures;
    private long clientSendFailures;
    private volatile long busyCyclePauseNs;
    private int lastCycleWork;
    private volatile int observedLeader;
    private volatile long observedTerm;
    private volatile ChainConfiguration observedChain;

    MemberAgent(final int memberId, final MonotonicClock clock, final Messaging peers,
        final ConduitMessaging clients, final int localClientSlots, final int localRingBytes)
    {
        this.roleName = "conduit-member-" + memberId;
        this.clock = clock;
        this.peers = peers;
        this.clients = clients;
        this.localClients = new LocalClientRings(Math.max(1, localClientSlots), localRingBytes, this);
    }

    /** A pause after every cycle that did work (0, the default, for none); any thread, diagnostic only. */
    void busyCyclePauseNs(final long pauseNs)
    {
        this.busyCyclePauseNs = pauseNs;
    }

    /** Set once, before the agent starts: the engine needs this agent's outboxes to be built. */
    void engine(final MemberEngine replica)
    {
        this.replica = replica;
    }

    LocalClientRings localClients()
    {
        return localClients;
    }

    /** Where the replica sends Raft messages: the peer binding. */
    PeerOutbox peerOutbox()
    {
        return peerOutbox;
    }

    /** Where the replica sends responses: a network client link, or an in-process client's ring. */
    ClientOutbox clientOutbox()
    {
        return clientOutbox;
    }

    @Override
    public int doWork()
    {
        try
        {
            return dutyCycle();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            // A broken invariant or a storage that refuses writes after an fsync failure: serving on could
            // acknowledge what is not durable, so the agent stops and the node reports the cause.
            throw new AgentTerminationException(ex);
        }
    }

    private int dutyCycle()
    {
        final long pauseNs = busyCyclePauseNs;
        if (pauseNs > 0 && lastCycleWork > 0)
        {
            // Diagnostic only (benchmarks of a slow replica): stall after every busy cycle, as a slow disk or CPU would.
            LockSupport.parkNanos(pauseNs);
        }
        nowNs = clock.nanoTime();
        int work = peers.doWork();
        if (clients != peers)
        {
            work += clients.doWork();
        }
        // Ticks owed since the last cycle come first: a lease read must never be judged on a stale tick count.
        work += replica.onTick(nowNs);
        work += peers.pollPeerEvents(this, BATCH);
        work += peers.poll(this, BATCH);
        work += clients.pollClients(this, BATCH);
        work += localClients.drain(BATCH);
        work += replica.process(nowNs);
        publishLeadership();
        lastCycleWork = work;
        return work;
    }

    /** Volatile writes only on change, so other threads can watch leadership without touching the replica. */
    private void publishLeadership()
    {
        if (replica.leader() != observedLeader || replica.term() != observedTerm)
        {
            observedTerm = replica.term();
            observedLeader = replica.leader();
            // Every chain change bumps the epoch (the term), so this publishes each one; it is immutable.
            if (replica instanceof ChainMember chainMember)
            {
                observedChain = chainMember.configuration();
            }
            else if (replica instanceof ChainControlMember controlMember)
            {
                observedChain = controlMember.control().configuration();
            }
        }
    }

    /** The leader this member last knew of (0 for none); any thread. */
    public int observedLeader()
    {
        return observedLeader;
    }

    /** This member's term when {@link #observedLeader()} was published; any thread. */
    public long observedTerm()
    {
        return observedTerm;
    }

    /**
     * Chain replication only: the chain as this member last knew it (epoch and members head to tail), published with
     * {@link #observedTerm()}; null for Raft or before any chain is known; any thread.
     */
    public ChainConfiguration observedChain()
    {
        return observedChain;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    // ------------------------------------------------------------------------------------------- inbound

    @Override
    public void onMessage(final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        replica.onPeerMessage(nowNs, fromMemberId, buffer, offset, length);
    }

    @Override
    public void onPeerUp(final int memberId)
    {
        replica.onPeerUp(nowNs, memberId);
    }

    @Override
    public void onPeerDown(final int memberId)
    {
        replica.onPeerDown(nowNs, memberId);
    }

    @Override
    public void onClientMessage(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        replica.onClientRequest(nowNs, linkId, buffer, offset, length);
    }

    @Override
    public void onClientLinkClosed(final long linkId)
    {
        replica.onClientLinkClosed(linkId);
    }

    @Override
    public void onLocalRequest(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        replica.onClientRequest(nowNs, linkId, buffer, offset, length);
    }

    @Override
    public void onLocalClientClosed(final long linkId)
    {
        replica.onClientLinkClosed(linkId);
    }

    // ------------------------------------------------------------------------------------------- outbound

    private boolean sendToPeer(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        // A message that cannot leave now is dropped: Raft retransmits on its own (heartbeats, probes, timeouts).
        final boolean sent = peers.send(memberId, buffer, offset, length) >= 0;
        if (!sent)
        {
            peerSendFailures++;
        }
        return sent;
    }

    private boolean sendToClient(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final boolean sent = LocalClientRings.isLocal(linkId) ?
            localClients.respond(linkId, buffer, offset, length) :
            clients.sendToClient(linkId, buffer, offset, length) >= 0;
        if (!sent)
        {
            // The client retries with the same sequence and gets the session's stored answer.
            clientSendFailures++;
        }
        return sent;
    }

    public long peerSendFailures()
    {
        return peerSendFailures;
    }

    public long clientSendFailures()
    {
        return clientSendFailures;
    }
}
