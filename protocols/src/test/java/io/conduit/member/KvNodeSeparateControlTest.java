package io.conduit.member;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.chain.ChainConfiguration;
import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvStatus;
import io.conduit.messaging.Members;
import io.conduit.messaging.MessagingConformanceTest;

/**
 * Chain replication with a separate control plane on real sockets in this JVM: members 1-3 form the chain (Raft
 * learners), members 4-6 run only the control plane (Raft voters). The chain forms from the control plane's
 * decisions alone (every node publishes it), writes commit at the head, and the tail serves reads under a lease the
 * control plane grants.
 */
class KvNodeSeparateControlTest
{
    private static final int[] CONTROL = {4, 5, 6};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChainServesUnderASeparateControlPlane(@TempDir final Path data) throws Exception
    {
        final Members members = MessagingConformanceTest.loopbackMembers(6);
        final KvNode[] nodes = new KvNode[7];
        try
        {
            for (int id = 1; id <= 6; id++)
            {
                nodes[id] = KvNode.launch(settings(members, id, data));
            }
            final ChainConfiguration chain = awaitChainOfThree(nodes);
            assertArrayEquals(new int[] {1, 2, 3}, Arrays.stream(chain.members()).sorted().toArray(),
                "only chain members are in the chain");
            try (LocalSession writer = new LocalSession(nodes[chain.head()].newLocalClient(), 201))
            {
                assertEquals(KvStatus.OK, writer.call(KvOperation.put("colour", "blue"), Consistency.LINEARIZABLE,
                    10_000));
            }
            try (LocalSession reader = new LocalSession(nodes[chain.tail()].newLocalClient(), 202))
            {
                assertEquals(KvStatus.VALUE, awaitAnswer(reader, KvOperation.get("colour")));
                assertArrayEquals("blue".getBytes(StandardCharsets.UTF_8), reader.payload());
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
    void settingsRefuseInconsistentControlMembers(@TempDir final Path data)
    {
        final Members members = Members.loopback(4, 40_000);
        assertEquals("control member 5 is not one of the members [1, 2, 3, 4]",
            assertThrows(IllegalArgumentException.class, () -> chainSettings(members, data).controlMembers(4, 5)
                .validate()).getMessage());
        assertEquals("every member is a control member: no member is left for the chain",
            assertThrows(IllegalArgumentException.class, () -> chainSettings(members, data)
                .controlMembers(1, 2, 3, 4).validate()).getMessage());
        assertEquals("control members apply to chain replication only",
            assertThrows(IllegalArgumentException.class, () -> chainSettings(members, data)
                .engine(ReplicationEngine.RAFT).controlMembers(4).validate()).getMessage());
        final NodeSettings separate = chainSettings(members, data).controlMembers(4).validate();
        assertArrayEquals(new int[] {4}, separate.voters());
        assertArrayEquals(new int[] {1, 2, 3}, separate.chainMembers());
        assertArrayEquals(new int[] {1, 2, 3, 4}, chainSettings(members, data).voters(), "co-located by default");
    }

    private static NodeSettings chainSettings(final Members members, final Path data)
    {
        return new NodeSettings().memberId(1).members(members).dataDirectory(data).engine(ReplicationEngine.CHAIN);
    }

    private static NodeSettings settings(final Members members, final int id, final Path data)
    {
        return new NodeSettings()
            .memberId(id)
            .members(members)
            .dataDirectory(data.resolve("node-" + id))
            .engine(ReplicationEngine.CHAIN)
            .controlMembers(CONTROL)
            .tickNs(TimeUnit.MILLISECONDS.toNanos(10));
    }

    /** Waits until a control member has applied a chain of all three chain members, each of which adopted it. */
    private static ChainConfiguration awaitChainOfThree(final KvNode[] nodes) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final ChainConfiguration decided = nodes[CONTROL[0]].chainConfiguration();
            if (decided != null && decided.size() == 3 && Arrays.stream(decided.members())
                .allMatch(id -> decided.equals(nodes[id].chainConfiguration())))
            {
                return decided;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the agents publish what they adopt
        }
        throw new IOException("no chain of three within 30 s: " + nodes[CONTROL[0]].chainConfiguration());
    }

    /** The tail answers RETRY or redirects until its first lease arrives; that is a matter of renewals, not time. */
    private static KvStatus awaitAnswer(final LocalSession reader, final KvOperation operation) throws IOException
    {
        KvStatus status = KvStatus.RETRY;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            status = reader.call(operation, Consistency.LINEARIZABLE, 10_000);
            if (status == KvStatus.VALUE)
            {
                return status;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertTrue(false, "the tail never answered: " + status);
        return status;
    }
}
