package io.conduit.chain.control;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import io.conduit.chain.ChainConfiguration;
import io.conduit.chain.ChainMessage;
import io.conduit.chain.ChainMessageCodec;
import io.conduit.chain.ChainMessageSink;
import io.conduit.chain.ChainOptions;
import io.conduit.chain.ChainReplica;
import io.conduit.chain.ChainResponseSink;
import io.conduit.chain.ChainRole;
import io.conduit.kv.KvCommandFlyweight;
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
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member of a chain-replicated key-value store: a {@link ChainReplica} (the data path) and a
 * {@link ChainControlPlane} (the configuration manager: a Raft voter when co-located, a Raft learner when the
 * control plane runs on separate {@link ChainControlMember}s), as one pure engine the node edge only has to move
 * bytes for. It is a {@link MemberEngine}, so the node edge drives it as it drives Raft.
 *
 * <h2>Contract for the edge</h2>
 * Every duty cycle, with one clock reading {@code nowNs}: {@link #onPeerUp}/{@link #onPeerDown} for link events,
 * {@link #onPeerMessage} for each peer message and {@link #onClientRequest} for each client request (in bounded
 * batches), {@link #onClientLinkClosed} when a client connection goes, {@link #onTick(long)}, then
 * {@link #process(long)}. Outputs leave synchronously through {@link PeerOutbox} and {@link ClientOutbox}, whose
 * implementations must copy the bytes before returning. A peer outbox returns false when it cannot take a message
 * (back pressure, link not connected): a chain message refused on a link not reported down is kept, in order, for
 * the next {@code process}; one refused on a link reported down is dropped (the link reset on its return repairs the
 * chain link). The {@code persist} hook is the Raft storage's fsync, as for {@code RaftKvReplica}.
 *
 * <h2>One link per pair, four planes</h2>
 * Every peer message starts with a {@link PlaneTag} byte: RAFT and CONTROL go to the control plane, DETECTOR to its
 * failure detector, CHAIN ({@link ChainMessageCodec} bytes) to the replica. Unknown tags and undecodable bytes are
 * counted and dropped.
 *
 * <h2>Configurations</h2>
 * The replica adopts the configuration of this member's own applied control state, whenever it is newer than the
 * replica's and holds this member's place with the replica's <em>incarnation</em> (a random non-zero number drawn
 * for each replica), after the adoption wait that follows a removal (see {@link ChainControlPlane}). The replica
 * state is not durable, so every replica starts empty and joins (REQUEST_JOIN) as the tail; a place held by another
 * incarnation of this member belongs to a replica that no longer exists, and the join replaces it. A replica removed
 * from the chain retires, and a fresh one with a new incarnation asks to join.
 *
 * <h2>Clients</h2>
 * Requests and answers are {@link KvRequestFlyweight}/{@link KvResponseFlyweight}, as for the Raft engine. Writes go
 * to the head, reads to the tail (any member with CRAQ); elsewhere the answer is NOT_LEADER naming the member to try
 * ({@link #head()} or {@link #tail()}). A get is served only under a read lease for the replica's epoch; without one
 * it is answered NOT_LEADER with the tail as this member knows it (0 when that is this member), so the client tries
 * elsewhere rather than waiting on a member that may have been removed.
 */
public final class ChainMember implements MemberEngine
{
    /** Most chain messages and client responses one {@link #process} call hands out, each. */
    public static final int MAX_OUTPUTS_PER_PROCESS = 1024;

    private final int memberId;
    private final ChainOptions options;
    private final KvConfig kvConfig;
    private final ChainReplicaFactory replicas;
    private final RandomGenerator random;
    private final ChainControlPlane control;
    private final PeerOutbox peers;
    private final ClientOutbox clients;
    private final int[] peerIds;
    private final boolean[] peerDown;

    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private final UnsafeBuffer responseBuffer;
    private final ExpandableArrayBuffer chainBuffer = new ExpandableArrayBuffer(4096);
    private final ChainMessageSink chainSink = this::sendChainMessage;
    private final ChainResponseSink responseSink = this::sendResponse;

    private ChainReplica replica;
    private long incarnation;

    private long replicasRetired;
    private long readsWithoutLease;
    private long redirects;
    private long malformedPeerMessages;
    private long chainMessagesToDownPeers;
    private long droppedResponses;

    /**
     * Starts (or restarts) a member: the control plane from what {@code storage} holds, the replica fresh.
     *
     * @param config   identity, control plane, chain options and client limits.
     * @param storage  the control plane's Raft log and hard state; written here, made durable by {@code persist}.
     * @param persist  the storage's fsync ({@code DurableRaftStorage::persist}); a no-op for memory.
     * @param replicas makes a fresh replica at start and after each removal.
     * @param peers    where tagged messages for other members go.
     * @param clients  where client responses go.
     */
    public ChainMember(
        final ChainMemberConfig config,
        final RaftStorage storage,
        final Runnable persist,
        final ChainReplicaFactory replicas,
        final PeerOutbox peers,
        final ClientOutbox clients)
    {
        this.memberId = config.memberId();
        this.options = config.chain();
        this.kvConfig = config.kv();
        this.replicas = replicas;
        this.random = config.control().raft().random();
        this.peers = peers;
        this.clients = clients;
        this.peerIds = config.control().allMembers();
        this.peerDown = new boolean[peerIds.length];
        this.responseBuffer = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(kvConfig)]);
        this.control = new ChainControlPlane(config.control(), storage, persist, peers);
        newReplica();
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** Advances the control plane's timers and adopts a configuration whose wait has ended; returns the work done. */
    @Override
    public int onTick(final long nowNs)
    {
        return control.onTick(nowNs) + adopt(nowNs);
    }

    /** One tagged message from a peer (valid only during the call). */
    @Override
    public void onPeerMessage(
        final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PlaneTag.TAG_LENGTH || fromMemberId == memberId || peerIndex(fromMemberId) < 0)
        {
            malformedPeerMessages++;
            return;
        }
        final byte tag = buffer.getByte(offset);
        final int bodyOffset = offset + PlaneTag.TAG_LENGTH;
        final int bodyLength = length - PlaneTag.TAG_LENGTH;
        if (tag == PlaneTag.CHAIN)
        {
            final ChainMessage message = ChainMessageCodec.decode(buffer, bodyOffset, bodyLength);
            if (message == null)
            {
                malformedPeerMessages++;
                return;
            }
            replica.onMessage(nowNs, fromMemberId, message);
        }
        else if (PlaneTag.isKnown(tag))
        {
            control.onPeerMessage(nowNs, fromMemberId, tag, buffer, bodyOffset, bodyLength);
        }
        else
        {
            malformedPeerMessages++;
        }
    }

    /**
     * The link to {@code member} came up (again): messages on it may have been lost, so the replica resynchronises
     * the chain link (HELLO from the successor side) and the detector contacts the peer at once.
     */
    @Override
    public void onPeerUp(final long nowNs, final int member)
    {
        final int index = peerIndex(member);
        if (index < 0)
        {
            return;
        }
        peerDown[index] = false;
        control.onPeerUp(nowNs, member);
        replica.onLinkReset(nowNs, member);
    }

    /** The link to {@code member} went down: chain messages for it are dropped until it is back. */
    @Override
    public void onPeerDown(final long nowNs, final int member)
    {
        final int index = peerIndex(member);
        if (index < 0)
        {
            return;
        }
        peerDown[index] = true;
        control.onPeerDown(nowNs, member);
    }

    /** One client request ({@link KvRequestFlyweight}) on link {@code linkId}. */
    @Override
    public void onClientRequest(
        final long nowNs, final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (request.wrap(buffer, offset, length).validate(kvConfig) < 0)
        {
            replica.onClientRequest(nowNs, linkId, buffer, offset, length);
            return;
        }
        final boolean read = request.op() == KvOp.GET;
        final ChainRole role = replica.role();
        if (!role.isMember())
        {
            // Not adopted yet (joining, or waiting): the control state still knows where to go.
            final int hint = read ? tail() : head();
            if (hint == memberId || hint == 0)
            {
                respond(linkId, KvResponseFlyweight.encode(responseBuffer, 0, request.clientId(), request.sequence(),
                    KvStatus.RETRY, 0));
            }
            else
            {
                redirect(linkId, hint);
            }
            return;
        }
        if (read && (role.isTail() || options.craqReads()) && !control.holdsLease(nowNs, replica.epoch()))
        {
            // Perhaps removed without knowing it: send the client elsewhere rather than answer from stale state.
            readsWithoutLease++;
            final int tail = replica.configuration().tail();
            redirect(linkId, tail == memberId ? 0 : tail);
            return;
        }
        replica.onClientRequest(nowNs, linkId, buffer, offset, length);
    }

    /**
     * The client's link is gone. The replica keeps no per-link state beyond answers in flight, which the client
     * outbox refuses and this member drops; a retry from another link is answered from the session table.
     */
    @Override
    public void onClientLinkClosed(final long linkId)
    {
    }

    // ----------------------------------------------------------------------------------------------- process

    /**
     * Drains the control plane (persist, send, apply), adopts a new configuration, reports the replica's state to
     * the control plane, then hands out the replica's chain messages and client answers.
     *
     * @return the work done; 0 when idle.
     */
    @Override
    public int process(final long nowNs)
    {
        control.localReplica(incarnation, replica.epoch(), replica.isSynced());
        int work = control.process(nowNs);
        work += adopt(nowNs);
        control.localReplica(incarnation, replica.epoch(), replica.isSynced());
        work += replica.pollMessages(chainSink, MAX_OUTPUTS_PER_PROCESS);
        work += replica.pollResponses(responseSink, MAX_OUTPUTS_PER_PROCESS);
        return work;
    }

    /** Hands the replica the applied configuration when it should adopt it; replaces a retired replica. */
    private int adopt(final long nowNs)
    {
        final ChainConfiguration configuration = control.configuration();
        if (configuration == null)
        {
            return 0;
        }
        if (control.state().holdsPlace(memberId, incarnation))
        {
            if (configuration.epoch() > replica.epoch() && control.mayAdopt(nowNs))
            {
                if (replica.role() == ChainRole.UNCONFIGURED && control.state().joinedEpoch(memberId) ==
                    ChainConfiguration.FIRST_EPOCH)
                {
                    // The chain's first member starts it: it must adopt epoch 1 (alone, empty, hence in sync) even
                    // if later joins were applied in the same batch, or it would wait for a predecessor forever.
                    replica.onConfiguration(nowNs, new ChainConfiguration(ChainConfiguration.FIRST_EPOCH, memberId));
                }
                replica.onConfiguration(nowNs, configuration);
                return 1;
            }
            return 0;
        }
        if (replica.role() == ChainRole.UNCONFIGURED)
        {
            return 0;
        }
        // Removed (or the place went to another incarnation): this replica is done; a fresh one asks to join.
        if (!configuration.contains(memberId))
        {
            replica.onConfiguration(nowNs, configuration);
        }
        replica.pollResponses(responseSink, Integer.MAX_VALUE);
        replicasRetired++;
        newReplica();
        control.localReplica(incarnation, replica.epoch(), replica.isSynced());
        return 1;
    }

    private void newReplica()
    {
        long next;
        do
        {
            next = random.nextLong();
        }
        while (next == 0 || next == incarnation);
        incarnation = next;
        replica = replicas.newReplica(memberId, options);
        if (replica.memberId() != memberId || replica.role() != ChainRole.UNCONFIGURED)
        {
            throw new IllegalStateException("the factory must make a fresh replica for member " + memberId);
        }
    }

    // ------------------------------------------------------------------------------------------------ output

    private boolean sendChainMessage(final int to, final ChainMessage message)
    {
        final int length = ChainMessageCodec.encodedLength(message);
        chainBuffer.checkLimit(PlaneTag.TAG_LENGTH + length);
        chainBuffer.putByte(0, PlaneTag.CHAIN);
        ChainMessageCodec.encode(message, chainBuffer, PlaneTag.TAG_LENGTH);
        if (peers.send(to, chainBuffer, 0, PlaneTag.TAG_LENGTH + length))
        {
            return true;
        }
        final int index = peerIndex(to);
        if (index < 0 || peerDown[index])
        {
            // Refused on a link reported down: lost as if in flight when it failed. When the link is back, the
            // successor's HELLO (its link reset) makes the predecessor resend. Always trying first matters: the
            // link may be up again before its LINK_UP reaches us, and a message dropped then would not be repaired.
            chainMessagesToDownPeers++;
            return true;
        }
        // Back pressure (or a failure not yet reported): keep it, in order, for the next process.
        return false;
    }

    private boolean sendResponse(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!clients.send(linkId, buffer, offset, length))
        {
            // A gone or full client link: the client retries with the same sequence.
            droppedResponses++;
        }
        return true;
    }

    private void redirect(final long linkId, final int hint)
    {
        redirects++;
        respond(linkId, KvResponseFlyweight.encodeNotLeader(responseBuffer, 0, request.clientId(), request.sequence(),
            hint));
    }

    private void respond(final long linkId, final int length)
    {
        sendResponse(linkId, responseBuffer, 0, length);
    }

    private int peerIndex(final int member)
    {
        final int index = Arrays.binarySearch(peerIds, member);
        return index >= 0 && member != memberId ? index : -1;
    }

    // ----------------------------------------------------------------------------------------------- queries

    public int memberId()
    {
        return memberId;
    }

    /** The configuration clients should follow: the replica's once adopted, else the applied control state's. */
    public ChainConfiguration configuration()
    {
        final ChainConfiguration adopted = replica.configuration();
        return adopted != null && replica.role().isMember() ? adopted : control.configuration();
    }

    /** Where writes go (the NOT_LEADER hint for them); 0 when no chain is known. */
    public int head()
    {
        final ChainConfiguration configuration = configuration();
        return configuration == null ? 0 : configuration.head();
    }

    /** Where non-CRAQ reads go (the NOT_LEADER hint for them); 0 when no chain is known. */
    public int tail()
    {
        final ChainConfiguration configuration = configuration();
        return configuration == null ? 0 : configuration.tail();
    }

    /** {@code MemberEngine.leader()}: the head, where clients write. */
    @Override
    public int leader()
    {
        return head();
    }

    /** {@code MemberEngine.term()}: the epoch clients' hints come from; grows with every configuration. */
    @Override
    public long term()
    {
        final ChainConfiguration configuration = configuration();
        return configuration == null ? 0 : configuration.epoch();
    }

    /** When something is next due without input (a tick, the detector, the end of an adoption wait). */
    public long nextDeadlineNs()
    {
        return control.nextDeadlineNs();
    }

    /** The current replica (a new one after each rejoin). */
    public ChainReplica replica()
    {
        return replica;
    }

    /** The current replica's incarnation. */
    public long incarnation()
    {
        return incarnation;
    }

    public ChainControlPlane control()
    {
        return control;
    }

    /** Whether the replica may serve reads now. */
    public boolean holdsLease(final long nowNs)
    {
        return control.holdsLease(nowNs, replica.epoch());
    }

    /** The longest tagged peer message this member sends; the edge checks it against its messaging's limit. */
    public int maxPeerMessageLength()
    {
        final int updates = ChainMessageCodec.HEADER_LENGTH + options.maxBatchUpdates() *
            ChainMessageCodec.UPDATE_HEADER_LENGTH + Math.max(options.maxBatchBytes(),
            KvCommandFlyweight.maxLength(kvConfig));
        final int chunk = ChainMessageCodec.SNAPSHOT_CHUNK_HEADER_LENGTH + options.snapshotChunkBytes();
        final int read = ChainMessageCodec.READ_HEADER_LENGTH + Math.max(KvRequestFlyweight.maxLength(kvConfig),
            KvResponseFlyweight.maxLength(kvConfig));
        return Math.max(control.maxPeerMessageLength(),
            PlaneTag.TAG_LENGTH + Math.max(updates, Math.max(chunk, read)));
    }

    /** Replicas retired after being removed from the chain (each replaced by a fresh one). */
    public long replicasRetired()
    {
        return replicasRetired;
    }

    /** Gets sent elsewhere because this member held no read lease. */
    public long readsWithoutLease()
    {
        return readsWithoutLease;
    }

    /** NOT_LEADER answers given here (the replica counts its own). */
    public long redirects()
    {
        return redirects;
    }

    /** Peer messages dropped here: too short, unknown tag, unknown sender or undecodable chain bytes. */
    public long malformedPeerMessages()
    {
        return malformedPeerMessages + control.malformedPeerMessages();
    }

    /** Chain messages dropped because their link was down. */
    public long chainMessagesToDownPeers()
    {
        return chainMessagesToDownPeers;
    }

    /** Client answers the client outbox refused. */
    public long droppedResponses()
    {
        return droppedResponses;
    }

    @Override
    public String toString()
    {
        return "ChainMember{" + memberId + " incarnation=" + Long.toHexString(incarnation) + " " + replica + " " +
            control + '}';
    }
}
