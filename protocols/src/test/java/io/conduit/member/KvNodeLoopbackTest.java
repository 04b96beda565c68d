package io.conduit.member;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvStatus;
import io.conduit.messaging.Members;
import io.conduit.messaging.MessagingConformanceTest;

/**
 * Three {@link KvNode}s in this JVM on loopback sockets and real data directories, for each peer binding: writes
 * commit through the leader, a follower serves linearizable reads, a stopped leader is replaced, and a restarted
 * member recovers from its data directory and catches up.
 */
class KvNodeLoopbackTest
{
    @ParameterizedTest
    @EnumSource(PeerTransport.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void commitsSurviveLeaderStopAndRestart(final PeerTransport transport, @TempDir final Path data) throws Exception
    {
        final Members members = members(transport);
        final KvNode[] nodes = new KvNode[4];
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes[id] = launch(members, id, transport, data);
            }
            assertEquals(KvStatus.OK, callLeader(nodes, 0, 101, KvOperation.put("colour", "blue")));
            final int leader = awaitLeader(nodes, 0);
            final int follower = leader % 3 + 1;
            // ReadIndex through a follower: the answer must include the write committed before it. A leader change
            // under load can refuse it as NOT_LEADER/RETRY (certainly not served), so those are asked again.
            assertArrayEquals("blue".getBytes(StandardCharsets.UTF_8), readThrough(nodes[follower], 102, "colour"));

            nodes[leader].close();
            final int next = awaitLeader(nodes, leader);
            assertNotEquals(leader, next);
            assertEquals(KvStatus.OK, callLeader(nodes, leader, 103, KvOperation.put("colour", "green")));
            assertEquals(KvStatus.OK, callLeader(nodes, leader, 104, KvOperation.cas("colour", "green", "red")));
            assertEquals(KvStatus.FAIL, callLeader(nodes, leader, 105, KvOperation.cas("colour", "green", "grey")));

            nodes[leader] = launch(members, leader, transport, data);
            try (LocalSession reader = new LocalSession(nodes[leader].newLocalClient(), 106))
            {
                awaitLocalValue(reader, "colour", "red");
            }
        }
        finally
        {
            for (final KvNode node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    @Test
    void settingsNameTheFirstProblem(@TempDir final Path data)
    {
        final Members members = Members.loopback(3, 40_000);
        assertEquals("member id 4 is not one of the members [1, 2, 3]", assertThrows(IllegalArgumentException.class,
            () -> new NodeSettings().memberId(4).members(members).dataDirectory(data).validate()).getMessage());
        assertEquals("no data directory given", assertThrows(IllegalArgumentException.class,
            () -> new NodeSettings().memberId(1).members(members).validate()).getMessage());
        assertEquals("port 60000 + 10000 for Aeron is above 65535", assertThrows(IllegalArgumentException.class,
            () -> new NodeSettings().memberId(1).members(Members.loopback(1, 60_000)).dataDirectory(data)
                .transport(PeerTransport.AERON).validate()).getMessage());
    }

    /**
     * Sends {@code operation} to whoever leads now and again to the next leader when refused with NOT_LEADER or
     * RETRY, which the replica answers only for commands it certainly did not apply; under load a leader found a
     * moment ago may already have stepped down. Each attempt is a new client session.
     */
    private static KvStatus callLeader(final KvNode[] nodes, final int excluded, final long clientId,
        final KvOperation operation) throws IOException
    {
        KvStatus status = KvStatus.NOT_LEADER;
        for (int attempt = 0; attempt < 20 && (status == KvStatus.NOT_LEADER || status == KvStatus.RETRY); attempt++)
        {
            try (LocalSession session = new LocalSession(nodes[awaitLeader(nodes, excluded)].newLocalClient(),
                clientId * 100 + attempt))
            {
                status = session.call(operation, Consistency.LINEARIZABLE, 10_000);
            }
        }
        return status;
    }

    /** A linearizable read through {@code node}, asked again while it is refused as NOT_LEADER or RETRY. */
    private static byte[] readThrough(final KvNode node, final long clientId, final String key) throws IOException
    {
        KvStatus status = KvStatus.NOT_LEADER;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try (LocalSession session = new LocalSession(node.newLocalClient(), clientId * 100 + attempt))
            {
                status = session.call(KvOperation.get(key), Consistency.LINEARIZABLE, 10_000);
                if (status == KvStatus.VALUE)
                {
                    return session.payload();
                }
            }
            if (status != KvStatus.NOT_LEADER && status != KvStatus.RETRY)
            {
                break;
            }
        }
        throw new AssertionError("read of " + key + " answered " + status);
    }

    /** A restarted member catches up through the log; an eventual read polls its local state until it does. */
    private static void awaitLocalValue(final LocalSession reader, final String key, final String expected)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String seen = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final KvStatus status = reader.call(KvOperation.get(key), Consistency.EVENTUAL, 10_000);
            seen = status == KvStatus.VALUE ? reader.payloadString() : status.toString();
            if (expected.equals(seen))
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling a replica that is catching up
        }
        throw new AssertionError("restarted member still answers " + seen + " instead of " + expected);
    }

    private static KvNode launch(final Members members, final int id, final PeerTransport transport,
        final Path data) throws IOException
    {
        return KvNode.launch(new NodeSettings()
            .memberId(id)
            .members(members)
            .dataDirectory(data.resolve("node-" + id))
            .transport(transport)
            .tickNs(TimeUnit.MILLISECONDS.toNanos(10)));
    }

    private static Members members(final PeerTransport transport)
    {
        // loopbackMembers picks ports in 20000-31999, so the Aeron twins at +10000 stay valid.
        return MessagingConformanceTest.loopbackMembers(3);
    }

    /** Waits until a member other than {@code excluded} reports itself leader. */
    private static int awaitLeader(final KvNode[] nodes, final int excluded) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (int id = 1; id < nodes.length; id++)
            {
                if (id != excluded && nodes[id] != null && nodes[id].leader() == id)
                {
                    return id;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // leadership is published by the agents
        }
        throw new IOException("no leader within 30 s");
    }
}
