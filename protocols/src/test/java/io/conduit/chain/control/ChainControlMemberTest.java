package io.conduit.chain.control;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.chain.ChainConfiguration;
import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@link ChainControlMember} driven by hand: member 2 is the only voter, member 1 the only chain member. It leads,
 * adds member 1 as a Raft learner (and so replicates to it), applies its join, and sends clients to the chain.
 */
class ChainControlMemberTest
{
    private static final long MS = 1_000_000L;

    private record Sent(int to, byte[] bytes)
    {
    }

    private final List<Sent> peerMessages = new ArrayList<>();
    private final List<byte[]> responses = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private long nowNs;

    @Test
    void leadsAddsTheChainMemberAsALearnerAndSendsClientsToTheChain()
    {
        final ChainControlMember member = controlMember();
        run(member, 300);
        assertEquals(RaftRole.LEADER, member.control().role());
        assertTrue(raftMessagesTo(1) > 0, "the learner receives the log");

        assertEquals(KvStatus.RETRY, answer(member, KvOperation.put("k", "v")).status(), "no chain yet");
        final int commandLength = ControlCommandFlyweight.encodeRequestJoin(buffer, 256, 1, 77);
        final int length = ControlMessageFlyweight.encodeProposal(buffer, PlaneTag.TAG_LENGTH, buffer, 256);
        buffer.putByte(0, PlaneTag.CONTROL);
        assertTrue(commandLength > 0);
        member.onPeerMessage(nowNs, 1, buffer, 0, PlaneTag.TAG_LENGTH + length);
        run(member, 50);
        assertEquals(new ChainConfiguration(1, 1), member.control().configuration());
        assertEquals(1, member.leader());
        assertEquals(1, member.term());

        final KvResponseFlyweight write = answer(member, KvOperation.put("k", "v"));
        assertEquals(KvStatus.NOT_LEADER, write.status());
        assertEquals(1, write.leaderHint(), "writes go to the head");
        final KvResponseFlyweight read = answer(member, KvOperation.get("k"));
        assertEquals(KvStatus.NOT_LEADER, read.status());
        assertEquals(1, read.leaderHint(), "reads go to the tail");
        assertEquals(2, member.redirects());
    }

    @Test
    void chainMessagesAndStrangersAreMalformed()
    {
        final ChainControlMember member = controlMember();
        buffer.putByte(0, PlaneTag.CHAIN);
        member.onPeerMessage(nowNs, 1, buffer, 0, 20);
        buffer.putByte(0, PlaneTag.RAFT);
        member.onPeerMessage(nowNs, 9, buffer, 0, 20);
        member.onPeerMessage(nowNs, 1, buffer, 0, 0);
        assertEquals(3, member.malformedPeerMessages());
    }

    @Test
    void aChainMemberCannotRunAsControlOnly()
    {
        final RaftConfig raft = new RaftConfig(1, new int[] {2}, 10, 2, true, true, 16, 16, 4096,
            new SplittableRandom(1));
        final ChainControlConfig config = ChainControlConfig.defaults(raft, 10 * MS, 1);
        assertThrows(IllegalArgumentException.class, () -> new ChainControlMember(config, KvConfig.DEFAULT,
            new MemoryRaftStorage(), () ->
            {
            }, (to, bytes, offset, length) -> true, (link, bytes, offset, length) -> true));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private ChainControlMember controlMember()
    {
        final RaftConfig raft = new RaftConfig(2, new int[] {2}, 10, 2, true, true, 16, 16, 4096,
            new SplittableRandom(2)).withSnapshotTransfer(4096, 2, 1 << 20);
        final ChainControlConfig config = ChainControlConfig.defaults(raft, 10 * MS, 1);
        assertEquals(1, config.learners().length);
        return new ChainControlMember(config, KvConfig.DEFAULT, new MemoryRaftStorage(), () ->
        {
        }, (to, bytes, offset, length) ->
        {
            final byte[] copy = new byte[length];
            bytes.getBytes(offset, copy);
            peerMessages.add(new Sent(to, copy));
            return true;
        }, (link, bytes, offset, length) ->
        {
            final byte[] copy = new byte[length];
            bytes.getBytes(offset, copy);
            responses.add(copy);
            return true;
        });
    }

    private long raftMessagesTo(final int to)
    {
        return peerMessages.stream().filter(sent -> sent.to() == to && sent.bytes()[0] == PlaneTag.RAFT).count();
    }

    private KvResponseFlyweight answer(final ChainControlMember member, final KvOperation operation)
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[512]);
        final int length = KvRequestFlyweight.encode(request, 0, 42, responses.size() + 1, Consistency.LINEARIZABLE,
            0, operation);
        member.onClientRequest(nowNs, 7, request, 0, length);
        final byte[] last = responses.get(responses.size() - 1);
        response.wrap(new UnsafeBuffer(last), 0, last.length);
        return response;
    }

    private void run(final ChainControlMember member, final int ms)
    {
        for (int i = 0; i < ms; i++)
        {
            nowNs += MS;
            member.onTick(nowNs);
            member.process(nowNs);
        }
    }
}
