package io.conduit.node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.KvStatus;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.MessageType;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftMessage;
import io.conduit.raft.RaftRole;
import io.conduit.raft.RaftStorage;
import io.conduit.raft.SnapshotMetadata;
import io.conduit.raft.codec.RaftMessageCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One replica on its own, its outboxes captured: time, malformed input, and answers that need no cluster. */
class RaftKvReplicaTest
{
    private static final long TICK_NS = 1_000_000L;
    private static final KvConfig KV = KvConfig.DEFAULT;

    private final List<byte[]> responses = new ArrayList<>();
    private final List<byte[]> peerMessages = new ArrayList<>();
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[KvRequestFlyweight.maxLength(KV)]);

    private RaftKvReplica replica(final int[] voters)
    {
        final RaftConfig raft = RaftConfig.defaults(1, voters, new SplittableRandom(7));
        return replica(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV), new MemoryRaftStorage(),
            new KvStateMachine(KV));
    }

    private RaftKvReplica replica(
        final RaftKvReplicaConfig config, final RaftStorage storage, final KvStateMachine stateMachine)
    {
        return new RaftKvReplica(config, storage, () ->
        {
        }, stateMachine, (to, buffer, offset, length) -> peerMessages.add(copy(buffer, offset, length)),
            (linkId, buffer, offset, length) -> responses.add(copy(buffer, offset, length)));
    }

    /** Ticks and processes a single voter until it leads. */
    private static void elect(final RaftKvReplica replica)
    {
        replica.onTick(0);
        for (int i = 1; i <= 25 && replica.role() != RaftRole.LEADER; i++)
        {
            replica.onTick(i * TICK_NS);
            replica.process(i * TICK_NS);
        }
        assertEquals(RaftRole.LEADER, replica.role());
    }

    private static byte[] copy(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private KvResponseFlyweight lastResponse()
    {
        final byte[] bytes = responses.get(responses.size() - 1);
        final KvResponseFlyweight response = new KvResponseFlyweight().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
        assertEquals(bytes.length, response.validate(KV));
        return response;
    }

    private void send(final RaftKvReplica replica, final Consistency consistency, final KvOperation op)
    {
        final int length = KvRequestFlyweight.encode(request, 0, 77, 1, consistency, 0, op);
        replica.onClientRequest(0, 5, request, 0, length);
    }

    @Test
    void ticksOncePerElapsedTickAndDropsTheExcessOfALongStall()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});

        assertEquals(0, replica.onTick(1_000), "the first call starts the clock");
        assertEquals(3, replica.onTick(1_000 + 3 * TICK_NS + TICK_NS / 2));
        assertEquals(0, replica.onTick(1_000 + 3 * TICK_NS + TICK_NS - 1));
        assertEquals(1, replica.onTick(1_000 + 4 * TICK_NS));
        // 100 ticks late: one election timeout's worth is taken, the rest dropped and the clock rebased.
        final long stalledNs = 1_000 + 104 * TICK_NS + TICK_NS / 2;
        assertEquals(10, replica.onTick(stalledNs));
        assertEquals(90, replica.skippedTicks());
        assertEquals(14, replica.ticks());
        assertEquals(stalledNs + TICK_NS, replica.nextTickDeadlineNs());
    }

    @Test
    void aSingleVoterElectsItselfAndAnswersAWriteOnceApplied()
    {
        final RaftKvReplica replica = replica(new int[]{1});
        elect(replica);

        send(replica, Consistency.LINEARIZABLE, KvOperation.put("k", "v"));
        assertTrue(responses.isEmpty(), "nothing is answered before the entry is applied");
        replica.process(30 * TICK_NS);

        assertEquals(KvStatus.OK, lastResponse().status());
        assertEquals(replica.appliedIndex(), lastResponse().index());
        assertEquals(0, replica.pendingWrites());
        send(replica, Consistency.LINEARIZABLE, KvOperation.get("k"));
        replica.process(31 * TICK_NS);
        assertEquals(KvStatus.VALUE, lastResponse().status());
        assertEquals("v", lastResponse().payloadString());
    }

    @Test
    void withoutAKnownLeaderWritesAndLinearizableReadsAreRedirectedWithHintZero()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});

        send(replica, Consistency.LINEARIZABLE, KvOperation.put("k", "v"));
        assertEquals(KvStatus.NOT_LEADER, lastResponse().status());
        assertEquals(0, lastResponse().leaderHint());
        send(replica, Consistency.LINEARIZABLE, KvOperation.get("k"));
        assertEquals(KvStatus.NOT_LEADER, lastResponse().status());
        send(replica, Consistency.EVENTUAL, KvOperation.get("k"));
        assertEquals(KvStatus.MISSING, lastResponse().status(), "an eventual read is served from local state");
        assertEquals(2, replica.redirects());
        assertEquals(0, replica.proposals());
    }

    @Test
    void aFollowerNamesTheLeaderItHeardFrom()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});
        final RaftMessage heartbeat = new RaftMessage(MessageType.HEARTBEAT, 3, 1, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = new RaftMessageCodec(64, 1024).encode(heartbeat, buffer, 0);
        replica.onPeerMessage(0, buffer, 0, length);
        replica.process(0);

        send(replica, Consistency.LINEARIZABLE, KvOperation.put("k", "v"));

        assertEquals(KvStatus.NOT_LEADER, lastResponse().status());
        assertEquals(3, lastResponse().leaderHint());
        assertEquals(1, peerMessages.size(), "the heartbeat was answered");
    }

    @Test
    void malformedOrMisaddressedPeerMessagesAreCountedAndDropped()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final RaftMessageCodec codec = new RaftMessageCodec(64, 1024);

        replica.onPeerMessage(0, buffer, 0, 10);
        replica.onPeerMessage(0, buffer, 0, codec.encode(new RaftMessage(MessageType.HEARTBEAT, 3, 2, 1), buffer, 0));
        replica.onPeerMessage(0, buffer, 0, codec.encode(new RaftMessage(MessageType.HEARTBEAT, 9, 1, 1), buffer, 0));
        replica.process(0);

        assertEquals(3, replica.malformedPeerMessages());
        assertEquals(0, replica.term(), "nothing was stepped");
        assertTrue(peerMessages.isEmpty());
    }

    @Test
    void aMalformedClientRequestIsAnsweredErrorAndCounted()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});
        final int length = KvRequestFlyweight.encode(request, 0, 77, 4, Consistency.LINEARIZABLE, 0,
            KvOperation.put("k", "v"));
        request.putByte(KvRequestFlyweight.OP_OFFSET, (byte)99);

        replica.onClientRequest(0, 5, request, 0, length);
        replica.onClientRequest(0, 5, request, 0, 3);

        assertEquals(2, replica.malformedClientRequests());
        assertEquals(KvStatus.ERROR, lastResponse().status());
        assertEquals(0, lastResponse().clientId(), "too short to say who asked");
        final byte[] first = responses.get(0);
        final KvResponseFlyweight response = new KvResponseFlyweight().wrap(new UnsafeBuffer(first), 0, first.length);
        assertEquals(KvStatus.ERROR, response.status());
        assertEquals(77, response.clientId());
        assertEquals(4, response.sequence());
    }

    @Test
    void refusesAStateMachineThatHasAlreadyApplied()
    {
        final KvStateMachine used = new KvStateMachine(KV);
        used.apply(1, 1, new UnsafeBuffer(new byte[0]), 0, 0, new UnsafeBuffer(new byte[64]), 0);
        final RaftConfig raft = RaftConfig.defaults(1, new int[]{1}, new SplittableRandom(1));

        assertThrows(IllegalArgumentException.class, () -> new RaftKvReplica(
            RaftKvReplicaConfig.defaults(raft, TICK_NS, KV), new MemoryRaftStorage(), () ->
            {
            }, used, (to, buffer, offset, length) -> true, (link, buffer, offset, length) -> true));
    }

    @Test
    void peerMessagesFitTheAdvertisedLength()
    {
        final RaftKvReplica replica = replica(new int[]{1, 2, 3});
        final RaftConfig raft = RaftConfig.defaults(1, new int[]{1, 2, 3}, new SplittableRandom(7));
        final long expected = RaftMessageCodec.HEADER_LENGTH +
            (long)raft.maxEntriesPerAppend() * RaftMessageCodec.ENTRY_HEADER_LENGTH + raft.maxBytesPerAppend();

        assertEquals(expected, replica.maxPeerMessageLength());
    }

    @Test
    void aLongSnapshotChunkSizesThePeerBuffer()
    {
        final RaftConfig raft = RaftConfig.defaults(1, new int[]{1, 2, 3}, new SplittableRandom(7))
            .withSnapshotTransfer(4 << 20, 2, 64 << 20);
        final RaftKvReplica replica = replica(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV),
            new MemoryRaftStorage(), new KvStateMachine(KV));

        assertEquals(RaftMessageCodec.HEADER_LENGTH + RaftMessageCodec.SNAPSHOT_BODY_HEADER_LENGTH +
            RaftMessageCodec.MAX_SNAPSHOT_MEMBERS * RaftMessageCodec.MEMBER_ID_LENGTH + (4 << 20),
            replica.maxPeerMessageLength());
    }

    // ------------------------------------------------------------------------------------------- snapshots

    private static final int[] ONE_VOTER = {1};

    /** A state machine that applied a put of {@code k=v} at index 1 (term 1), as its snapshot bytes. */
    private static byte[] stateWithOnePut()
    {
        final KvStateMachine machine = new KvStateMachine(KV);
        final UnsafeBuffer requestBuffer = new UnsafeBuffer(new byte[KvRequestFlyweight.maxLength(KV)]);
        final int requestLength = KvRequestFlyweight.encode(requestBuffer, 0, 77, 1, Consistency.LINEARIZABLE, 0,
            KvOperation.put("k", "v"));
        final UnsafeBuffer command = new UnsafeBuffer(new byte[KvCommandFlyweight.HEADER_LENGTH + requestLength]);
        final int length = KvCommandFlyweight.encode(command, 0, 1, 0, requestBuffer, 0, requestLength);
        machine.apply(1, 1, command, 0, length, new UnsafeBuffer(new byte[machine.responseCapacity()]), 0);
        return LogOracle.snapshotOf(machine);
    }

    @Test
    void startsFromTheStoragesSnapshot()
    {
        final MemoryRaftStorage storage = new MemoryRaftStorage();
        storage.applySnapshot(new SnapshotMetadata(1, 1, ONE_VOTER, new int[0]), stateWithOnePut());
        final KvStateMachine stateMachine = new KvStateMachine(KV);
        final RaftConfig raft = RaftConfig.defaults(1, ONE_VOTER, new SplittableRandom(7));

        final RaftKvReplica replica = replica(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV), storage, stateMachine);

        assertEquals(1, replica.appliedIndex());
        assertEquals(1, replica.snapshotIndex());
        assertEquals(0, replica.appliedEntries());
        assertArrayEquals("v".getBytes(StandardCharsets.US_ASCII), stateMachine.read("k".getBytes(
            StandardCharsets.US_ASCII)));
        assertTrue(stateMachine.hasSession(77), "the session came with the snapshot");
    }

    @Test
    void refusesAStorageWhoseSnapshotDoesNotRestore()
    {
        final RaftConfig raft = RaftConfig.defaults(1, ONE_VOTER, new SplittableRandom(7));
        final RaftKvReplicaConfig config = RaftKvReplicaConfig.defaults(raft, TICK_NS, KV);
        final MemoryRaftStorage garbage = new MemoryRaftStorage();
        garbage.applySnapshot(new SnapshotMetadata(1, 1, ONE_VOTER, new int[0]), new byte[]{1, 2, 3});
        // Valid bytes, but of a state machine at index 1 under metadata that says 2.
        final MemoryRaftStorage mislabelled = new MemoryRaftStorage();
        mislabelled.applySnapshot(new SnapshotMetadata(2, 1, ONE_VOTER, new int[0]), stateWithOnePut());

        assertThrows(IllegalStateException.class, () -> replica(config, garbage, new KvStateMachine(KV)));
        assertThrows(IllegalStateException.class, () -> replica(config, mislabelled, new KvStateMachine(KV)));
    }

    @Test
    void snapshotsEveryNEntriesAndCompactsKeepingTheRetainedEntries()
    {
        final MemoryRaftStorage storage = new MemoryRaftStorage();
        final KvStateMachine stateMachine = new KvStateMachine(KV);
        final RaftConfig raft = RaftConfig.defaults(1, ONE_VOTER, new SplittableRandom(7));
        final RaftKvReplica replica = replica(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV).withSnapshots(3, 1),
            storage, stateMachine);
        elect(replica);

        for (int i = 0; i < 7; i++)
        {
            final int length = KvRequestFlyweight.encode(request, 0, 77, i + 1, Consistency.LINEARIZABLE, 0,
                KvOperation.put("k", "v" + i));
            replica.onClientRequest(0, 5, request, 0, length);
            replica.process((30 + i) * TICK_NS);
        }

        // The no-op at 1 and puts at 2..8: snapshots at 3 and 6 (not 8: only 2 entries since), each compacting to
        // one entry behind it.
        assertEquals(8, replica.appliedIndex());
        assertEquals(2, replica.snapshotsTaken());
        assertEquals(6, replica.snapshotIndex());
        assertEquals(6, storage.snapshotMetadata().index());
        assertArrayEquals(ONE_VOTER, storage.snapshotMetadata().voters());
        assertEquals(6, storage.firstIndex(), "entries up to 5 compacted, 6 retained");
        final KvStateMachine restored = new KvStateMachine(KV);
        final byte[] data = storage.snapshot().data();
        assertEquals(0, restored.restoreSnapshot(new UnsafeBuffer(data), 0, data.length));
        assertEquals(6, restored.appliedIndex());
        assertArrayEquals("v4".getBytes(StandardCharsets.US_ASCII), restored.read("k".getBytes(
            StandardCharsets.US_ASCII)));
    }

    @Test
    void neverSnapshotsWhenThePolicyIsOff()
    {
        final MemoryRaftStorage storage = new MemoryRaftStorage();
        final RaftConfig raft = RaftConfig.defaults(1, ONE_VOTER, new SplittableRandom(7));
        final RaftKvReplica replica = replica(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV).withSnapshots(0, 0),
            storage, new KvStateMachine(KV));
        elect(replica);
        for (int i = 0; i < 5; i++)
        {
            final int length = KvRequestFlyweight.encode(request, 0, 77, i + 1, Consistency.LINEARIZABLE, 0,
                KvOperation.put("k", "v" + i));
            replica.onClientRequest(0, 5, request, 0, length);
            replica.process((30 + i) * TICK_NS);
        }

        assertEquals(6, replica.appliedIndex());
        assertEquals(0, replica.snapshotsTaken());
        assertEquals(1, storage.firstIndex());
        assertEquals(0, storage.snapshotMetadata().index());
    }
}
