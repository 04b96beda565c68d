package io.conduit.chain;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.conduit.kv.KvCodecError;
import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.KvStatus;
import io.conduit.kv.ReplicatedStateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member of a chain (van Renesse and Schneider, "Chain Replication for Supporting High Throughput and
 * Availability", OSDI 2004; CRAQ reads from Terrace and Freedman, USENIX ATC 2009), as a pure state machine.
 *
 * <h2>Contract</h2>
 * Inputs, each taking {@code nowNs} first where time matters: {@link #onConfiguration} (from the configuration
 * manager), {@link #onMessage} (a decoded {@link ChainMessage} from another member), {@link #onClientRequest} (a
 * {@link KvRequestFlyweight} from a client link) and {@link #onLinkReset} (a link to a member failed and came back,
 * so messages on it may have been lost). Outputs are polled: {@link #pollMessages} hands messages for members,
 * {@link #pollResponses} answers for clients. There are no timers: every wait ends with a message, a configuration
 * or a link reset. Single-threaded; the state machine is owned by the replica.
 *
 * <h2>Protocol</h2>
 * The head stamps a write into a {@link KvCommandFlyweight} (term = epoch, the head's {@code nowNs}), gives it the
 * next global sequence number, applies it and forwards it; every member applies in sequence order and forwards;
 * the tail commits what it applies and acknowledges upwards; the head answers the client when the acknowledgement
 * reaches it, with the response its own state machine produced. A member's applied sequence is always a prefix of
 * its predecessor's, which is what makes each reconfiguration simple (§3 of the paper): a new head already has
 * what it needs, a new tail commits everything it holds, and a member with a new predecessor says what it holds
 * (HELLO) so the predecessor resends the rest (RESUME, FORWARD) or, when it no longer keeps those updates, sends a
 * snapshot (SNAPSHOT_CHUNK) — the state transfer for a member joining as the new tail.
 * <p>
 * Messages stamped with an older epoch are ignored and counted. A HELLO from a newer epoch (and the ACKs that
 * follow it) is kept until that configuration arrives; a newer-epoch read query is answered RETRY; nothing else can
 * come from a newer epoch, because it would answer a message of ours from that epoch.
 * {@link #highestEpochSeen()} above {@link #epoch()} tells the edge our configuration is late.
 * <p>
 * A member whose first configuration is {@link ChainConfiguration#FIRST_EPOCH} starts in sync (everyone starts
 * empty); any other starts unsynced, serves nothing and commits nothing until its predecessor has answered its
 * HELLO.
 */
public final class ChainReplica
{
    /** The client link id of an update no client at this member waits for. */
    public static final long NO_CLIENT = -1;

    private record Outgoing(int toMemberId, ChainMessage message)
    {
    }

    private record ClientResponse(long clientLinkId, byte[] bytes)
    {
    }

    private record PendingRead(long clientLinkId, long clientId, long sequence)
    {
    }

    private final int memberId;
    private final KvConfig kvConfig;
    private final ReplicatedStateMachine stateMachine;
    private final ChainReader reader;
    private final ChainOptions options;

    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private final KvCommandFlyweight command = new KvCommandFlyweight();
    private final UnsafeBuffer commandBuffer;
    private final UnsafeBuffer responseBuffer;
    private final UnsafeBuffer bytesView = new UnsafeBuffer(new byte[0]);
    private final PendingUpdates pending = new PendingUpdates();
    private final Map<ByteBuffer, Long> dirtyKeys = new HashMap<>();
    private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
    private final ArrayDeque<ClientResponse> responses = new ArrayDeque<>();
    private final Map<Long, PendingRead> pendingReads = new LinkedHashMap<>();

    private ChainConfiguration configuration;
    private ChainRole role = ChainRole.UNCONFIGURED;
    private long roleChangedNs;
    private int predecessorId;
    private int successorId;
    private boolean synced;
    private long committedSequence;
    private long dirtyUntilSequence;
    private long highestEpochSeen;
    private long nextQueryId;

    private boolean helloDue;
    private boolean awaitingResume;
    private long ackSentSequence;
    private byte[] incomingSnapshot;
    private long incomingSnapshotSequence;
    private long incomingCommittedSequence;
    private int incomingReceivedBytes;

    private boolean successorLinked;
    private boolean resumeDue;
    private long resumeAfterSequence;
    private long nextForwardSequence;
    private byte[] outgoingSnapshot;
    private long outgoingSnapshotSequence;
    private long outgoingCommittedSequence;
    private int outgoingSentBytes;
    private ChainMessage.Hello deferredHello;
    private ChainMessage.Hello futureHello;
    private int futureHelloFrom;

    private long staleEpochMessages;
    private long futureEpochMessages;
    private long protocolViolations;
    private String lastViolation = "";
    private long duplicateUpdates;
    private long outOfOrderUpdates;
    private long retryAnswers;
    private long notLeaderAnswers;
    private long abandonedClientRequests;
    private long readQueries;
    private long snapshotsSent;
    private long snapshotsInstalled;
    private long roleTransitions;

    /**
     * @param memberId     this member's id in configurations (positive).
     * @param kvConfig     the limits client requests are validated against.
     * @param stateMachine the replicated state; applied in sequence order, snapshotted for state transfer.
     * @param reader       answers gets from {@code stateMachine}'s current state.
     * @param options      read mode and bounds.
     */
    public ChainReplica(
        final int memberId,
        final KvConfig kvConfig,
        final ReplicatedStateMachine stateMachine,
        final ChainReader reader,
        final ChainOptions options)
    {
        if (memberId <= 0)
        {
            throw new IllegalArgumentException("member ids are positive (0 means unknown): " + memberId);
        }
        this.memberId = memberId;
        this.kvConfig = kvConfig;
        this.stateMachine = stateMachine;
        this.reader = reader;
        this.options = options;
        this.commandBuffer = new UnsafeBuffer(new byte[KvCommandFlyweight.maxLength(kvConfig)]);
        this.responseBuffer = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(kvConfig)]);
        pending.reset(stateMachine.appliedIndex());
    }

    /** A replica over a {@link KvStateMachine}, reading from it directly. */
    public static ChainReplica ofKv(final int memberId, final KvStateMachine stateMachine, final ChainOptions options)
    {
        return new ChainReplica(memberId, stateMachine.config(), stateMachine,
            (request, out, outOffset) -> stateMachine.read(request, 0, out, outOffset), options);
    }

    // ------------------------------------------------------------------------------------------ configuration

    /**
     * Adopts a configuration of a newer epoch; an older or equal one is ignored.
     *
     * @return true if it was adopted.
     */
    public boolean onConfiguration(final long nowNs, final ChainConfiguration next)
    {
        if (role == ChainRole.RETIRED || (configuration != null && next.epoch() <= configuration.epoch()))
        {
            return false;
        }
        highestEpochSeen = Math.max(highestEpochSeen, next.epoch());
        final boolean first = configuration == null;
        final ChainRole nextRole = ChainRole.of(next, memberId);
        configuration = next;
        failPendingReads();
        dropOutgoingOlderThan(next.epoch());
        if (nextRole == ChainRole.RETIRED)
        {
            retire(nowNs);
            return true;
        }
        if (first)
        {
            synced = next.epoch() == ChainConfiguration.FIRST_EPOCH;
        }
        if (role.isHead() && !nextRole.isHead())
        {
            forgetClients();
        }
        if (nextRole != role)
        {
            transition(nextRole, nowNs, "epoch " + next.epoch());
        }
        linkPredecessor(next.predecessorOf(memberId));
        linkSuccessor(next.successorOf(memberId));
        if (role.isTail())
        {
            commitEverythingHeld();
        }
        if (futureHello != null && futureHello.epoch() <= next.epoch())
        {
            final ChainMessage.Hello hello = futureHello;
            futureHello = null;
            if (hello.epoch() == next.epoch())
            {
                onHello(futureHelloFrom, hello);
            }
        }
        return true;
    }

    private void linkPredecessor(final int newPredecessorId)
    {
        predecessorId = newPredecessorId;
        helloDue = newPredecessorId != 0;
        awaitingResume = helloDue;
        incomingSnapshot = null;
    }

    private void linkSuccessor(final int newSuccessorId)
    {
        successorId = newSuccessorId;
        successorLinked = false;
        resumeDue = false;
        outgoingSnapshot = null;
        deferredHello = null;
    }

    private void retire(final long nowNs)
    {
        forgetClients();
        transition(ChainRole.RETIRED, nowNs, "not a member of epoch " + configuration.epoch());
        linkPredecessor(0);
        linkSuccessor(0);
        outbox.clear();
        dirtyKeys.clear();
        pending.reset(pending.lastSequence());
        futureHello = null;
    }

    private void transition(final ChainRole next, final long nowNs, final String reason)
    {
        if (!role.canMoveTo(next))
        {
            throw new IllegalStateException("illegal role change " + role + " -> " + next + " (" + reason + ")");
        }
        role = next;
        roleChangedNs = nowNs;
        roleTransitions++;
    }

    /** A member that stops being head drops its clients: they retry elsewhere, and sessions make that safe. */
    private void forgetClients()
    {
        for (long sequence = pending.floorSequence() + 1; sequence <= pending.lastSequence(); sequence++)
        {
            final PendingUpdates.Entry entry = pending.get(sequence);
            if (entry.clientLinkId != NO_CLIENT)
            {
                entry.clientLinkId = NO_CLIENT;
                entry.response = null;
                abandonedClientRequests++;
            }
        }
    }

    private void dropOutgoingOlderThan(final long epoch)
    {
        outbox.removeIf(outgoing -> outgoing.message().epoch() < epoch);
    }

    /**
     * The link to {@code memberId} failed and came back: messages on it may have been lost. The successor side of
     * a chain link repairs it with a new HELLO; CRAQ reads waiting for the tail are answered RETRY.
     */
    public void onLinkReset(final long nowNs, final int memberId)
    {
        if (memberId == predecessorId && predecessorId != 0)
        {
            helloDue = true;
            awaitingResume = true;
            incomingSnapshot = null;
        }
        if (configuration != null && memberId == configuration.tail() && !role.isTail())
        {
            failPendingReads();
        }
    }

    // ------------------------------------------------------------------------------------------ client requests

    /**
     * A client request ({@link KvRequestFlyweight} bytes) from the client behind {@code clientLinkId}. Writes are
     * sequenced at the head and answered when committed; gets follow the read mode. Every other case is answered
     * at once: NOT_LEADER with the head (writes) or tail (reads) as hint, RETRY when full or not yet in sync,
     * ERROR for a malformed request.
     */
    public void onClientRequest(
        final long nowNs, final long clientLinkId, final DirectBuffer buffer, final int offset, final int length)
    {
        request.wrap(buffer, offset, length);
        final int valid = request.validate(kvConfig);
        if (valid < 0)
        {
            final boolean readable = length >= KvRequestFlyweight.HEADER_LENGTH;
            respond(clientLinkId, KvResponseFlyweight.encodeError(responseBuffer, 0,
                readable ? request.clientId() : 0, readable ? request.sequence() : 0, 0,
                "malformed request: " + KvCodecError.describe(valid)));
            return;
        }
        if (request.op() == KvOp.GET)
        {
            read(clientLinkId);
        }
        else
        {
            write(nowNs, clientLinkId, buffer, offset, length);
        }
    }

    private void write(
        final long nowNs, final long clientLinkId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!role.isHead())
        {
            notLeader(clientLinkId, configuration == null ? 0 : configuration.head());
            return;
        }
        if (!synced || pending.lastSequence() - committedSequence >= options.windowLength())
        {
            retry(clientLinkId, request.clientId(), request.sequence());
            return;
        }
        final long sequence = pending.lastSequence() + 1;
        final long term = configuration.epoch();
        final int commandLength = KvCommandFlyweight.encode(commandBuffer, 0, term, nowNs, buffer, offset, length);
        final byte[] commandBytes = new byte[commandLength];
        commandBuffer.getBytes(0, commandBytes);
        final ByteBuffer dirtyKey = dirtyKeyOf(request);
        final int responseLength = stateMachine.apply(sequence, term, commandBuffer, 0, commandLength,
            responseBuffer, 0);
        final byte[] response = new byte[responseLength];
        responseBuffer.getBytes(0, response);
        hold(new PendingUpdates.Entry(new ChainUpdate(sequence, term, commandBytes), dirtyKey, clientLinkId,
            response));
        if (role.isTail())
        {
            advanceCommitted(sequence);
        }
    }

    private void read(final long clientLinkId)
    {
        if (!role.isMember())
        {
            notLeader(clientLinkId, configuration == null ? 0 : configuration.tail());
        }
        else if (!synced)
        {
            retry(clientLinkId, request.clientId(), request.sequence());
        }
        else if (role.isTail() || (options.craqReads() && !isDirty(request)))
        {
            respond(clientLinkId, reader.read(request, responseBuffer, 0));
        }
        else if (!options.craqReads())
        {
            notLeader(clientLinkId, configuration.tail());
        }
        else if (pendingReads.size() >= options.maxPendingReads())
        {
            retry(clientLinkId, request.clientId(), request.sequence());
        }
        else
        {
            final long queryId = ++nextQueryId;
            pendingReads.put(queryId, new PendingRead(clientLinkId, request.clientId(), request.sequence()));
            final byte[] requestBytes = new byte[request.length()];
            request.buffer().getBytes(request.offset(), requestBytes);
            outbox.add(new Outgoing(configuration.tail(),
                new ChainMessage.ReadQuery(configuration.epoch(), queryId, requestBytes)));
            readQueries++;
        }
    }

    /**
     * CRAQ's clean/dirty rule: a key is dirty while this member holds an update to it that is not known committed.
     * After a snapshot every key counts as dirty until the snapshot's sequence is known committed.
     */
    private boolean isDirty(final KvRequestFlyweight get)
    {
        if (committedSequence < dirtyUntilSequence)
        {
            return true;
        }
        final Long lastWrite = dirtyKeys.get(ByteBuffer.wrap(get.keyBytes()));
        return lastWrite != null && lastWrite > committedSequence;
    }

    /** Lease names are their own namespace, so only put, cas and delete can change what a get sees. */
    private static ByteBuffer dirtyKeyOf(final KvRequestFlyweight write)
    {
        final KvOp op = write.op();
        return op == KvOp.PUT || op == KvOp.CAS || op == KvOp.DELETE ? ByteBuffer.wrap(write.keyBytes()) : null;
    }

    private void notLeader(final long clientLinkId, final int hint)
    {
        notLeaderAnswers++;
        respond(clientLinkId, KvResponseFlyweight.encodeNotLeader(responseBuffer, 0, request.clientId(),
            request.sequence(), hint));
    }

    private void retry(final long clientLinkId, final long clientId, final long sequence)
    {
        retryAnswers++;
        respond(clientLinkId, KvResponseFlyweight.encode(responseBuffer, 0, clientId, sequence, KvStatus.RETRY,
            pending.lastSequence()));
    }

    private void respond(final long clientLinkId, final int length)
    {
        final byte[] bytes = new byte[length];
        responseBuffer.getBytes(0, bytes);
        responses.add(new ClientResponse(clientLinkId, bytes));
    }

    private void failPendingReads()
    {
        for (final PendingRead read : pendingReads.values())
        {
            retry(read.clientLinkId(), read.clientId(), read.sequence());
        }
        pendingReads.clear();
    }

    // ------------------------------------------------------------------------------------------ chain messages

    /** A message from member {@code fromMemberId}, as the binding reported the sender. */
    public void onMessage(final long nowNs, final int fromMemberId, final ChainMessage message)
    {
        if (role == ChainRole.RETIRED)
        {
            staleEpochMessages++;
            return;
        }
        final long epoch = message.epoch();
        highestEpochSeen = Math.max(highestEpochSeen, epoch);
        if (configuration == null || epoch > configuration.epoch())
        {
            onFutureEpoch(fromMemberId, message);
            return;
        }
        if (epoch < configuration.epoch())
        {
            staleEpochMessages++;
            return;
        }
        switch (message.type())
        {
            case FORWARD -> onForward(fromMemberId, (ChainMessage.Forward)message);
            case ACK -> onAck(fromMemberId, (ChainMessage.Ack)message);
            case HELLO -> onHello(fromMemberId, (ChainMessage.Hello)message);
            case RESUME -> onResume(fromMemberId, (ChainMessage.Resume)message);
            case SNAPSHOT_CHUNK -> onSnapshotChunk(fromMemberId, (ChainMessage.SnapshotChunk)message);
            case READ_QUERY -> onReadQuery(fromMemberId, (ChainMessage.ReadQuery)message);
            case READ_REPLY -> onReadReply((ChainMessage.ReadReply)message);
            default -> throw new IllegalStateException("unhandled type " + message.type());
        }
    }

    /**
     * A successor may adopt a configuration before its predecessor does, so its HELLO is kept for when ours
     * arrives, and the ACKs it sends after it (it may learn of commits from its own new successor meanwhile) are
     * folded into it: acknowledgements are cumulative. A read query is answered RETRY: we cannot know yet whether
     * we are that epoch's tail. Nothing else can come from a newer epoch, since every other message answers one of
     * ours from that epoch.
     */
    private void onFutureEpoch(final int fromMemberId, final ChainMessage message)
    {
        futureEpochMessages++;
        if (message instanceof ChainMessage.Hello hello)
        {
            if (futureHello == null || hello.epoch() >= futureHello.epoch())
            {
                futureHello = hello;
                futureHelloFrom = fromMemberId;
            }
        }
        else if (message instanceof ChainMessage.Ack ack)
        {
            if (futureHello != null && futureHello.epoch() == ack.epoch() && futureHelloFrom == fromMemberId &&
                ack.committedSequence() <= futureHello.lastSequence())
            {
                futureHello = new ChainMessage.Hello(ack.epoch(), futureHello.lastSequence(),
                    Math.max(futureHello.committedSequence(), ack.committedSequence()));
            }
        }
        else if (message instanceof ChainMessage.ReadQuery query)
        {
            answerQuery(fromMemberId, query, false);
        }
    }

    private void onForward(final int fromMemberId, final ChainMessage.Forward forward)
    {
        if (fromMemberId != predecessorId)
        {
            violation("forward from " + fromMemberId + ", predecessor is " + predecessorId);
            return;
        }
        if (!synced)
        {
            // Updates that overtook a lost RESUME after a link reset; our new HELLO brings them again.
            outOfOrderUpdates++;
            return;
        }
        for (final ChainUpdate update : forward.updates())
        {
            final long last = pending.lastSequence();
            if (update.sequence() <= last)
            {
                duplicateUpdates++;
                continue;
            }
            if (update.sequence() != last + 1)
            {
                gap();
                break;
            }
            if (update.term() < stateMachine.appliedTerm() || update.term() > configuration.epoch())
            {
                violation("update " + update + " term outside [" + stateMachine.appliedTerm() + ", " +
                    configuration.epoch() + "]");
                break;
            }
            applyForwarded(update);
        }
        if (role.isTail())
        {
            advanceCommitted(pending.lastSequence());
        }
    }

    /** Updates were lost on the link (a reset the edge has not reported yet): ask for them once. */
    private void gap()
    {
        outOfOrderUpdates++;
        if (!awaitingResume)
        {
            helloDue = true;
            awaitingResume = true;
        }
    }

    private void applyForwarded(final ChainUpdate update)
    {
        final byte[] bytes = update.command();
        bytesView.wrap(bytes);
        stateMachine.apply(update.sequence(), update.term(), bytesView, 0, bytes.length, responseBuffer, 0);
        ByteBuffer dirtyKey = null;
        if (command.wrap(bytesView, 0, bytes.length).validate(kvConfig) >= 0)
        {
            dirtyKey = dirtyKeyOf(command.request());
        }
        hold(new PendingUpdates.Entry(update, dirtyKey, NO_CLIENT, null));
    }

    private void hold(final PendingUpdates.Entry entry)
    {
        pending.append(entry);
        if (stateMachine.appliedIndex() != pending.lastSequence())
        {
            throw new IllegalStateException("state machine at " + stateMachine.appliedIndex() + ", chain at " +
                pending.lastSequence());
        }
        if (entry.dirtyKey != null)
        {
            dirtyKeys.put(entry.dirtyKey, entry.update.sequence());
        }
    }

    private void onAck(final int fromMemberId, final ChainMessage.Ack ack)
    {
        if (fromMemberId != successorId)
        {
            violation("ack from " + fromMemberId + ", successor is " + successorId);
            return;
        }
        if (ack.committedSequence() > pending.lastSequence())
        {
            violation("ack of " + ack.committedSequence() + " beyond our last " + pending.lastSequence());
            return;
        }
        advanceCommitted(ack.committedSequence());
    }

    /** Everything up to {@code sequence} is committed: answer the clients waiting here and stop holding it. */
    private void advanceCommitted(final long sequence)
    {
        if (sequence <= committedSequence)
        {
            return;
        }
        committedSequence = sequence;
        while (pending.size() > 0 && pending.floorSequence() < sequence)
        {
            final PendingUpdates.Entry entry = pending.removeFirst();
            if (entry.clientLinkId != NO_CLIENT)
            {
                responses.add(new ClientResponse(entry.clientLinkId, entry.response));
            }
            if (entry.dirtyKey != null)
            {
                final Long lastWrite = dirtyKeys.get(entry.dirtyKey);
                if (lastWrite != null && lastWrite <= sequence)
                {
                    dirtyKeys.remove(entry.dirtyKey);
                }
            }
        }
    }

    /** The tail commits whatever it holds: every member upstream holds it too (the prefix property). */
    private void commitEverythingHeld()
    {
        if (synced)
        {
            advanceCommitted(pending.lastSequence());
        }
    }

    private void onHello(final int fromMemberId, final ChainMessage.Hello hello)
    {
        if (fromMemberId != successorId)
        {
            violation("hello from " + fromMemberId + ", successor is " + successorId);
            return;
        }
        if (!synced)
        {
            deferredHello = hello;
            return;
        }
        serveSuccessor(hello);
    }

    /** Resume after what the successor holds if we still hold the rest, else transfer our whole state. */
    private void serveSuccessor(final ChainMessage.Hello hello)
    {
        final long last = pending.lastSequence();
        if (hello.lastSequence() > last)
        {
            violation("successor holds " + hello.lastSequence() + ", beyond our last " + last);
            return;
        }
        advanceCommitted(hello.committedSequence());
        successorLinked = true;
        if (hello.lastSequence() >= pending.floorSequence())
        {
            resumeDue = true;
            resumeAfterSequence = hello.lastSequence();
            nextForwardSequence = hello.lastSequence() + 1;
            outgoingSnapshot = null;
        }
        else
        {
            resumeDue = false;
            captureSnapshot();
        }
    }

    private void captureSnapshot()
    {
        final ExpandableArrayBuffer image = new ExpandableArrayBuffer((int)Math.max(64,
            Math.min(stateMachine.snapshotLength(), options.maxSnapshotBytes())));
        final int[] length = new int[1];
        stateMachine.writeSnapshot((buffer, offset, chunkLength) ->
        {
            image.putBytes(length[0], buffer, offset, chunkLength);
            length[0] += chunkLength;
        });
        outgoingSnapshot = new byte[length[0]];
        image.getBytes(0, outgoingSnapshot);
        outgoingSnapshotSequence = pending.lastSequence();
        outgoingCommittedSequence = committedSequence;
        outgoingSentBytes = 0;
        nextForwardSequence = outgoingSnapshotSequence + 1;
        snapshotsSent++;
    }

    private void onResume(final int fromMemberId, final ChainMessage.Resume resume)
    {
        if (fromMemberId != predecessorId)
        {
            violation("resume from " + fromMemberId + ", predecessor is " + predecessorId);
            return;
        }
        if (resume.afterSequence() > pending.lastSequence())
        {
            violation("resume after " + resume.afterSequence() + " but we hold only " + pending.lastSequence());
            return;
        }
        awaitingResume = false;
        if (!synced)
        {
            becomeSynced();
        }
    }

    private void becomeSynced()
    {
        synced = true;
        if (role.isTail())
        {
            commitEverythingHeld();
        }
        if (deferredHello != null)
        {
            final ChainMessage.Hello hello = deferredHello;
            deferredHello = null;
            serveSuccessor(hello);
        }
    }

    private void onSnapshotChunk(final int fromMemberId, final ChainMessage.SnapshotChunk chunk)
    {
        if (fromMemberId != predecessorId)
        {
            violation("snapshot from " + fromMemberId + ", predecessor is " + predecessorId);
            return;
        }
        if (chunk.chunkOffset() == 0)
        {
            if (chunk.totalLength() > options.maxSnapshotBytes())
            {
                violation("snapshot of " + chunk.totalLength() + " bytes exceeds " + options.maxSnapshotBytes());
                return;
            }
            incomingSnapshot = new byte[(int)chunk.totalLength()];
            incomingSnapshotSequence = chunk.snapshotSequence();
            incomingCommittedSequence = chunk.committedSequence();
            incomingReceivedBytes = 0;
        }
        else if (incomingSnapshot == null || chunk.snapshotSequence() != incomingSnapshotSequence ||
            chunk.totalLength() != incomingSnapshot.length || chunk.chunkOffset() != incomingReceivedBytes)
        {
            // A chunk lost to a link reset: start the transfer over.
            incomingSnapshot = null;
            gap();
            return;
        }
        System.arraycopy(chunk.bytes(), 0, incomingSnapshot, incomingReceivedBytes, chunk.bytes().length);
        incomingReceivedBytes += chunk.bytes().length;
        if (incomingReceivedBytes == incomingSnapshot.length)
        {
            installSnapshot();
        }
    }

    private void installSnapshot()
    {
        final byte[] image = incomingSnapshot;
        incomingSnapshot = null;
        if (incomingSnapshotSequence < pending.lastSequence())
        {
            violation("snapshot at " + incomingSnapshotSequence + " is behind our last " + pending.lastSequence());
            return;
        }
        final int result = stateMachine.restoreSnapshot(new UnsafeBuffer(image), 0, image.length);
        if (result < 0 || stateMachine.appliedIndex() != incomingSnapshotSequence)
        {
            violation("snapshot at " + incomingSnapshotSequence + " refused: " + KvCodecError.describe(result));
            return;
        }
        pending.reset(incomingSnapshotSequence);
        dirtyKeys.clear();
        dirtyUntilSequence = incomingSnapshotSequence;
        committedSequence = Math.max(committedSequence, incomingCommittedSequence);
        awaitingResume = false;
        snapshotsInstalled++;
        if (!synced)
        {
            becomeSynced();
        }
        else if (role.isTail())
        {
            commitEverythingHeld();
        }
    }

    private void onReadQuery(final int fromMemberId, final ChainMessage.ReadQuery query)
    {
        answerQuery(fromMemberId, query, role.isTail() && synced);
    }

    private void answerQuery(final int fromMemberId, final ChainMessage.ReadQuery query, final boolean serve)
    {
        final byte[] bytes = query.request();
        bytesView.wrap(bytes);
        request.wrap(bytesView, 0, bytes.length);
        final int length;
        if (request.validate(kvConfig) < 0 || request.op() != KvOp.GET)
        {
            violation("read query " + query.queryId() + " is not a valid get");
            length = KvResponseFlyweight.encodeError(responseBuffer, 0, 0, 0, 0, "malformed read query");
        }
        else if (serve)
        {
            length = reader.read(request, responseBuffer, 0);
        }
        else
        {
            retryAnswers++;
            length = KvResponseFlyweight.encode(responseBuffer, 0, request.clientId(), request.sequence(),
                KvStatus.RETRY, pending.lastSequence());
        }
        final byte[] response = new byte[length];
        responseBuffer.getBytes(0, response);
        outbox.add(new Outgoing(fromMemberId, new ChainMessage.ReadReply(query.epoch(), query.queryId(), response)));
    }

    private void onReadReply(final ChainMessage.ReadReply reply)
    {
        final PendingRead read = pendingReads.remove(reply.queryId());
        if (read != null)
        {
            responses.add(new ClientResponse(read.clientLinkId(), reply.response()));
        }
    }

    private void violation(final String what)
    {
        protocolViolations++;
        lastViolation = what;
    }

    // ------------------------------------------------------------------------------------------ outputs

    /**
     * Hands up to {@code limit} messages to {@code sink}: first the handshake and acknowledgement for the
     * predecessor, then queued read traffic, then the resume, snapshot chunks and batched updates for the
     * successor. Acknowledgements are cumulative and batches are built here, so polling after a burst of input
     * sends one ACK and full FORWARDs rather than one per update.
     *
     * @return how many messages the sink took.
     */
    public int pollMessages(final ChainMessageSink sink, final int limit)
    {
        int sent = pollPredecessor(sink, limit);
        while (sent < limit && !outbox.isEmpty())
        {
            final Outgoing outgoing = outbox.peekFirst();
            if (!sink.send(outgoing.toMemberId(), outgoing.message()))
            {
                break;
            }
            outbox.pollFirst();
            sent++;
        }
        return sent + pollSuccessor(sink, limit - sent);
    }

    private int pollPredecessor(final ChainMessageSink sink, final int limit)
    {
        if (predecessorId == 0 || limit <= 0)
        {
            return 0;
        }
        int sent = 0;
        final long epoch = configuration.epoch();
        if (helloDue)
        {
            final ChainMessage.Hello hello = new ChainMessage.Hello(epoch, pending.lastSequence(),
                synced ? committedSequence : 0);
            if (!sink.send(predecessorId, hello))
            {
                return 0;
            }
            helloDue = false;
            ackSentSequence = hello.committedSequence();
            sent++;
        }
        if (sent < limit && synced && committedSequence > ackSentSequence &&
            sink.send(predecessorId, new ChainMessage.Ack(epoch, committedSequence)))
        {
            ackSentSequence = committedSequence;
            sent++;
        }
        return sent;
    }

    private int pollSuccessor(final ChainMessageSink sink, final int limit)
    {
        if (successorId == 0 || !successorLinked || limit <= 0)
        {
            return 0;
        }
        final long epoch = configuration.epoch();
        int sent = 0;
        if (resumeDue)
        {
            if (!sink.send(successorId, new ChainMessage.Resume(epoch, resumeAfterSequence)))
            {
                return 0;
            }
            resumeDue = false;
            sent++;
        }
        if (outgoingSnapshot == null && nextForwardSequence <= pending.floorSequence())
        {
            // We installed a snapshot ourselves and no longer hold what the successor lacks.
            captureSnapshot();
        }
        while (sent < limit && outgoingSnapshot != null)
        {
            final int chunkLength = Math.min(options.snapshotChunkBytes(), outgoingSnapshot.length - outgoingSentBytes);
            final byte[] bytes = new byte[chunkLength];
            System.arraycopy(outgoingSnapshot, outgoingSentBytes, bytes, 0, chunkLength);
            if (!sink.send(successorId, new ChainMessage.SnapshotChunk(epoch, outgoingSnapshotSequence,
                outgoingCommittedSequence, outgoingSnapshot.length, outgoingSentBytes, bytes)))
            {
                return sent;
            }
            outgoingSentBytes += chunkLength;
            if (outgoingSentBytes == outgoingSnapshot.length)
            {
                outgoingSnapshot = null;
            }
            sent++;
        }
        while (sent < limit && nextForwardSequence <= pending.lastSequence())
        {
            final List<ChainUpdate> batch = nextBatch();
            if (!sink.send(successorId, new ChainMessage.Forward(epoch, batch)))
            {
                return sent;
            }
            nextForwardSequence += batch.size();
            sent++;
        }
        return sent;
    }

    private List<ChainUpdate> nextBatch()
    {
        final List<ChainUpdate> batch = new ArrayList<>();
        long bytes = 0;
        for (long sequence = nextForwardSequence; sequence <= pending.lastSequence() &&
            batch.size() < options.maxBatchUpdates(); sequence++)
        {
            final ChainUpdate update = pending.get(sequence).update;
            bytes += update.command().length;
            if (!batch.isEmpty() && bytes > options.maxBatchBytes())
            {
                break;
            }
            batch.add(update);
        }
        return batch;
    }

    /**
     * Hands up to {@code limit} client answers to {@code sink}, in the order they were decided.
     *
     * @return how many the sink took.
     */
    public int pollResponses(final ChainResponseSink sink, final int limit)
    {
        int delivered = 0;
        final Iterator<ClientResponse> queued = responses.iterator();
        while (delivered < limit && queued.hasNext())
        {
            final ClientResponse response = queued.next();
            bytesView.wrap(response.bytes());
            if (!sink.respond(response.clientLinkId(), bytesView, 0, response.bytes().length))
            {
                break;
            }
            queued.remove();
            delivered++;
        }
        return delivered;
    }

    // ------------------------------------------------------------------------------------------ state

    public int memberId()
    {
        return memberId;
    }

    public ChainRole role()
    {
        return role;
    }

    /** When the role last changed, on the caller's clock. */
    public long roleChangedNs()
    {
        return roleChangedNs;
    }

    /** The adopted configuration, or null before the first. */
    public ChainConfiguration configuration()
    {
        return configuration;
    }

    /** The adopted epoch, 0 before the first configuration. */
    public long epoch()
    {
        return configuration == null ? 0 : configuration.epoch();
    }

    /** The highest epoch seen in a configuration or message; above {@link #epoch()} means ours is late. */
    public long highestEpochSeen()
    {
        return highestEpochSeen;
    }

    /** Whether this member's state holds every committed update, so it may serve, commit and forward. */
    public boolean isSynced()
    {
        return synced;
    }

    /** The last sequence number received and applied. */
    public long lastSequence()
    {
        return pending.lastSequence();
    }

    /** The highest sequence number known committed at the tail (for the tail: what it committed). */
    public long committedSequence()
    {
        return committedSequence;
    }

    /** Updates held and not known committed. */
    public int pendingCount()
    {
        return pending.size();
    }

    /** CRAQ reads waiting for the tail. */
    public int pendingReadCount()
    {
        return pendingReads.size();
    }

    public long staleEpochMessages()
    {
        return staleEpochMessages;
    }

    public long futureEpochMessages()
    {
        return futureEpochMessages;
    }

    /** Messages that break the protocol's rules (a bug here or at a peer, or a wrong configuration); ignored. */
    public long protocolViolations()
    {
        return protocolViolations;
    }

    /** The most recent protocol violation, for diagnosis; empty when none. */
    public String lastViolation()
    {
        return lastViolation;
    }

    public long duplicateUpdates()
    {
        return duplicateUpdates;
    }

    /** Updates that arrived after a gap, or before this member was in sync, and were dropped. */
    public long outOfOrderUpdates()
    {
        return outOfOrderUpdates;
    }

    public long retryAnswers()
    {
        return retryAnswers;
    }

    public long notLeaderAnswers()
    {
        return notLeaderAnswers;
    }

    /** Writes whose client was dropped unanswered when this member stopped being head. */
    public long abandonedClientRequests()
    {
        return abandonedClientRequests;
    }

    public long readQueries()
    {
        return readQueries;
    }

    public long snapshotsSent()
    {
        return snapshotsSent;
    }

    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    public long roleTransitions()
    {
        return roleTransitions;
    }

    @Override
    public String toString()
    {
        return "member " + memberId + " " + role + (synced ? "" : " (unsynced)") + " epoch " + epoch() +
            " last " + pending.lastSequence() + " committed " + committedSequence + " pending " + pending.size() +
            (predecessorId == 0 ? "" : " | pred " + predecessorId + (helloDue ? " hello due" : "") +
                (awaitingResume ? " awaiting resume" : "") + " ack sent " + ackSentSequence) +
            (successorId == 0 ? "" : " | succ " + successorId + (successorLinked ? " linked, next " +
                nextForwardSequence : " unlinked") + (outgoingSnapshot == null ? "" : " snapshot")) +
            (protocolViolations == 0 ? "" : " | violations " + protocolViolations + " (" + lastViolation + ")");
    }
}
