package io.conduit.chain.control;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.chain.ChainConfiguration;
import io.conduit.chain.ChainOptions;
import io.conduit.chain.ChainRole;
import io.conduit.failure.FailureMessageFlyweight;
import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftRole;
import io.conduit.raft.codec.RaftMessageCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One {@link ChainMember} driven by hand: the plane tags on the wire, malformed input, and a one-member chain. */
class ChainMemberTest
{
    private static final long MS = 1_000_000L;

    private record Sent(int to, byte[] bytes)
    {
    }

    private final List<Sent> peerMessages = new ArrayList<>();
    private final List<byte[]> responses = new ArrayList<>();
    private final UnsafeBuffer requestBuffer = new UnsafeBuffer(new byte[512]);
    private long nowNs;

    @Test
    void theTagsAreDistinctFromEveryPlanesFirstByte()
    {
        final byte[] tags = {PlaneTag.RAFT, PlaneTag.CHAIN, PlaneTag.DETECTOR, PlaneTag.CONTROL};
        for (final byte tag : tags)
        {
            assertTrue(PlaneTag.isKnown(tag));
            // Raft and chain codecs start with version 1, detector messages with type 1-3, control messages 1-3.
            assertTrue(tag > 3, () -> PlaneTag.describe(tag));
        }
        assertFalse(PlaneTag.isKnown((byte)1));
        assertFalse(PlaneTag.isKnown((byte)0));
        assertEquals("UNKNOWN(200)", PlaneTag.describe((byte)200));
    }

    @Test
    void everyPeerMessageCarriesAKnownTagAndItsPlanesValidBytes()
    {
        final ChainMember member = member(1, 1, 2, 3);
        run(member, 500);
        final RaftMessageCodec raftCodec = new RaftMessageCodec(16, ControlCommandFlyweight.LENGTH, 4096);
        final FailureMessageFlyweight failure = new FailureMessageFlyweight();
        int raft = 0;
        int detector = 0;
        for (final Sent sent : peerMessages)
        {
            final UnsafeBuffer view = new UnsafeBuffer(sent.bytes());
            final int length = sent.bytes().length - 1;
            switch (sent.bytes()[0])
            {
                case PlaneTag.RAFT ->
                {
                    assertTrue(raftCodec.validate(view, 1, length) >= 0);
                    raft++;
                }
                case PlaneTag.DETECTOR ->
                {
                    assertTrue(failure.wrap(view, 1, length).isValid());
                    detector++;
                }
                case PlaneTag.CONTROL -> assertEquals(0, ControlMessageFlyweight.validate(view, 1, length));
                default -> throw new AssertionError("tag " + PlaneTag.describe(sent.bytes()[0]));
            }
        }
        assertTrue(raft > 0, "alone, the member campaigns");
        assertTrue(detector > 0, "and sends heartbeats");
    }

    @Test
    void malformedPeerInputIsCountedAndNeverThrows()
    {
        final ChainMember member = member(1, 1, 2, 3);
        run(member, 10);
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[256]);
        bytes.putByte(0, PlaneTag.CHAIN);
        member.onPeerMessage(nowNs, 2, bytes, 0, 0);
        member.onPeerMessage(nowNs, 2, bytes, 0, 5);
        bytes.putByte(0, (byte)1);
        member.onPeerMessage(nowNs, 2, bytes, 0, 64);
        bytes.putByte(0, PlaneTag.RAFT);
        member.onPeerMessage(nowNs, 1, bytes, 0, 64);
        member.onPeerMessage(nowNs, 9, bytes, 0, 64);
        assertEquals(5, member.malformedPeerMessages());

        final SplittableRandom random = new SplittableRandom(11);
        final byte[] tags = {PlaneTag.RAFT, PlaneTag.CHAIN, PlaneTag.DETECTOR, PlaneTag.CONTROL, 0, 'Z'};
        for (int i = 0; i < 100_000; i++)
        {
            final int length = random.nextInt(80);
            for (int b = 0; b < length; b++)
            {
                bytes.putByte(b, (byte)(random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt(256)));
            }
            if (length > 0)
            {
                bytes.putByte(0, tags[random.nextInt(tags.length)]);
            }
            member.onPeerMessage(nowNs, 2 + random.nextInt(2), bytes, 0, length);
        }
        assertTrue(member.malformedPeerMessages() > 90_000);
        run(member, 10);
    }

    @Test
    void aMemberAloneFormsAChainOfOneAndServesUnderALease()
    {
        final ChainMember member = member(1, 1);
        runUntil(member, () -> member.replica().role() == ChainRole.SOLE && member.holdsLease(nowNs), 1_000);
        assertEquals(RaftRole.LEADER, member.control().role());
        assertEquals(new ChainConfiguration(1, 1), member.configuration());
        assertEquals(1, member.head());
        assertEquals(1, member.tail());
        assertTrue(member.control().state().isSynced(1));

        request(member, 1, KvOperation.put("colour", "blue"));
        request(member, 2, KvOperation.get("colour"));
        run(member, 1);
        assertEquals(2, responses.size());
        final KvResponseFlyweight response = new KvResponseFlyweight();
        response.wrap(new UnsafeBuffer(responses.get(0)), 0, responses.get(0).length);
        assertEquals(KvStatus.OK, response.status());
        response.wrap(new UnsafeBuffer(responses.get(1)), 0, responses.get(1).length);
        assertEquals(KvStatus.VALUE, response.status());
        assertEquals("blue", response.payloadString());
    }

    @Test
    void withoutAChainWritesAndReadsAreAnsweredRetry()
    {
        final ChainMember member = member(1, 1, 2, 3);
        run(member, 50);
        assertEquals(0, member.head(), "no majority, no configuration");
        request(member, 1, KvOperation.put("k", "v"));
        final KvResponseFlyweight response = new KvResponseFlyweight();
        response.wrap(new UnsafeBuffer(responses.get(0)), 0, responses.get(0).length);
        assertEquals(KvStatus.RETRY, response.status());
    }

    @Test
    void theLongestPeerMessageCoversAChunkAndAFullBatch()
    {
        final ChainMember member = member(1, 1, 2, 3);
        assertTrue(member.maxPeerMessageLength() >= 1 + ChainOptions.DEFAULT.snapshotChunkBytes());
        assertTrue(member.maxPeerMessageLength() >= 1 + ChainOptions.DEFAULT.maxBatchBytes());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private ChainMember member(final int id, final int... voters)
    {
        final RaftConfig raft = new RaftConfig(id, voters, 10, 2, true, true, 16, 16, 4096, new SplittableRandom(id))
            .withSnapshotTransfer(4096, 2, 1 << 20);
        final ChainControlConfig control = ChainControlConfig.defaults(raft, 10 * MS, voters);
        final ChainMemberConfig config = new ChainMemberConfig(control, ChainOptions.DEFAULT, KvConfig.DEFAULT);
        return new ChainMember(config, new MemoryRaftStorage(), () ->
        {
        }, ChainReplicaFactory.kv(KvConfig.DEFAULT), (to, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            peerMessages.add(new Sent(to, bytes));
            return true;
        }, (link, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            responses.add(bytes);
            return true;
        });
    }

    private void request(final ChainMember member, final long sequence, final KvOperation operation)
    {
        final int length = KvRequestFlyweight.encode(requestBuffer, 0, 42, sequence, Consistency.LINEARIZABLE, 0,
            operation);
        member.onClientRequest(nowNs, 7, requestBuffer, 0, length);
        member.process(nowNs);
    }

    private void run(final ChainMember member, final int ms)
    {
        for (int i = 0; i < ms; i++)
        {
            nowNs += MS;
            member.onTick(nowNs);
            member.process(nowNs);
        }
    }

    private void runUntil(final ChainMember member, final java.util.function.BooleanSupplier condition, final int ms)
    {
        for (int i = 0; i < ms && !condition.getAsBoolean(); i++)
        {
            run(member, 1);
        }
        assertTrue(condition.getAsBoolean(), () -> "not reached: " + member);
    }
}
