package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot installation (Raft §7) on 3 and 5 nodes, several seeds each: every node snapshots its state machine every
 * {@value #COMPACT_EVERY} applied entries and compacts its log, so a follower that was down while the cluster moved
 * on can only be caught up by the leader's snapshot, sent in {@value #CHUNK_BYTES}-byte chunks, and then by the log.
 * The harness checks after every step that a restored state is exactly the state every node had at that index.
 */
class RaftSnapshotScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int COMPACT_EVERY = 20;
    private static final int CHUNK_BYTES = 32;
    private static final int FILLER_BYTES = 200;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;

    private static RaftSimCluster compactingCluster(final int size, final long seed)
    {
        final RaftSimCluster cluster = new RaftSimCluster(size, seed,
            config -> config.withSnapshotTransfer(CHUNK_BYTES, 2, 1 << 20));
        cluster.compaction(COMPACT_EVERY, 0);
        cluster.snapshotFillerBytes(FILLER_BYTES);
        return cluster;
    }

    private static int chunksPerSnapshot()
    {
        return (2 * Long.BYTES + FILLER_BYTES + CHUNK_BYTES - 1) / CHUNK_BYTES;
    }

    private static byte[] payload(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static int follower(final RaftSimCluster cluster, final int leader, final int nth)
    {
        int seen = 0;
        for (int id = 1; id <= cluster.size(); id++)
        {
            if (id != leader && cluster.isUp(id) && seen++ == nth)
            {
                return id;
            }
        }
        throw new IllegalStateException("no follower number " + nth);
    }

    private static int[] all(final RaftSimCluster cluster)
    {
        final int[] ids = new int[cluster.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        return ids;
    }

    private static int[] allBut(final RaftSimCluster cluster, final int excluded)
    {
        final int[] ids = new int[cluster.size() - 1];
        int at = 0;
        for (int id = 1; id <= cluster.size(); id++)
        {
            if (id != excluded)
            {
                ids[at++] = id;
            }
        }
        return ids;
    }

    /** Proposes {@code count} entries to {@code leader}, a few per tick, and waits until {@code ids} applied them. */
    private static long commit(final RaftSimCluster cluster, final int leader, final int count, final int... ids)
    {
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            last = cluster.propose(leader, payload(i));
            assertTrue(last > 0, cluster::toString);
            if (i % 5 == 4)
            {
                cluster.step();
            }
        }
        cluster.awaitApplied(last, ELECTION_BOUND_TICKS, ids);
        return last;
    }

    /** The follower's stored log ends before the first entry {@code holder} still holds: only a snapshot helps. */
    private static void assertCompactedPast(final RaftSimCluster cluster, final int holder, final int behind)
    {
        final long first = cluster.node(holder).log().firstIndex();
        final long behindLast = cluster.storage(behind).lastIndex();
        assertTrue(first > behindLast + 1, () -> "node " + holder + " still holds from " + first +
            ", node " + behind + " has up to " + behindLast + "\n" + cluster);
    }

    /** After the snapshot, the follower holds and applied the log's entries, the very ones everyone applied. */
    private static void assertCaughtUpBySnapshotThenLog(final RaftSimCluster cluster, final int behind, final long last)
    {
        final RaftNode node = cluster.node(behind);
        assertTrue(node.snapshotsRestored() >= 1, () -> "node " + behind + " restored no snapshot\n" + cluster);
        assertEquals(last, node.appliedIndex());
        final List<LogEntry> held = node.log().allEntries();
        assertTrue(!held.isEmpty() && held.get(held.size() - 1).index() == last, "entries after the snapshot");
        for (final LogEntry entry : held)
        {
            assertSame(cluster.appliedLog().get((int)entry.index() - 1), entry);
        }
        cluster.checkLogMatching();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aFollowerDownWhileTheLeaderCompactsIsCaughtUpBySnapshotThenLog(final int size)
    {
        SeededRuns.run("RaftSnapshotScenarioTest", 9000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = compactingCluster(size, seed);
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final int behind = follower(cluster, leader, 0);
            commit(cluster, leader, 10, all(cluster));
            cluster.crash(behind);
            commit(cluster, leader, 150, allBut(cluster, behind));
            assertCompactedPast(cluster, leader, behind);

            final long chunksBefore = cluster.sentTo(MessageType.INSTALL_SNAPSHOT, behind);
            cluster.restart(behind);
            cluster.compaction(0, 0); // so the entries after the snapshot stay in the log to be checked
            final long last = commit(cluster, leader, 10, all(cluster));
            assertEquals(leader, cluster.leader());
            final long chunks = cluster.sentTo(MessageType.INSTALL_SNAPSHOT, behind) - chunksBefore;
            assertTrue(chunks >= chunksPerSnapshot(), () -> "chunks " + chunks);
            assertCaughtUpBySnapshotThenLog(cluster, behind, last);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void lostAndReorderedChunksAreResentUntilTheSnapshotIsWhole(final int size)
    {
        SeededRuns.run("RaftSnapshotScenarioTest", 10000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = compactingCluster(size, seed);
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final int behind = follower(cluster, leader, 0);
            cluster.crash(behind);
            commit(cluster, leader, 150, allBut(cluster, behind));
            assertCompactedPast(cluster, leader, behind);

            // The second chunk of the first transfer is always lost; beyond that a third of chunks and of their
            // answers, and delays reorder the rest.
            final AtomicBoolean droppedOne = new AtomicBoolean();
            cluster.drop(m -> m.type() == MessageType.INSTALL_SNAPSHOT && m.snapshotOffset() == CHUNK_BYTES &&
                droppedOne.compareAndSet(false, true));
            cluster.lossRate(MessageType.INSTALL_SNAPSHOT, 0.3);
            cluster.lossRate(MessageType.INSTALL_SNAPSHOT_RESPONSE, 0.3);
            cluster.delayTicks(1, 3);
            final long chunksBefore = cluster.sentTo(MessageType.INSTALL_SNAPSHOT, behind);
            cluster.restart(behind);
            cluster.runUntil("the snapshot restored", () -> cluster.node(behind).snapshotsRestored() > 0,
                10 * ELECTION_BOUND_TICKS);
            assertTrue(droppedOne.get());
            final long chunks = cluster.sentTo(MessageType.INSTALL_SNAPSHOT, behind) - chunksBefore;
            assertTrue(chunks > chunksPerSnapshot(), () -> "a lost chunk must be resent; chunks " + chunks);

            cluster.lossRate(MessageType.INSTALL_SNAPSHOT, 0);
            cluster.lossRate(MessageType.INSTALL_SNAPSHOT_RESPONSE, 0);
            cluster.compaction(0, 0);
            final int current = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long last = commit(cluster, current, 10, all(cluster));
            assertCaughtUpBySnapshotThenLog(cluster, behind, last);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aNewLeaderThatHasCompactedSendsItsOwnSnapshot(final int size)
    {
        SeededRuns.run("RaftSnapshotScenarioTest", 11000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = compactingCluster(size, seed);
            final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final int behind = follower(cluster, oldLeader, 0);
            final int successor = follower(cluster, oldLeader, 1);
            cluster.crash(behind);
            commit(cluster, oldLeader, 150, allBut(cluster, behind));

            assertTrue(cluster.transferLeadership(oldLeader, successor));
            cluster.runUntil("the transfer", () -> cluster.leader() == successor, ELECTION_BOUND_TICKS);
            assertNotEquals(oldLeader, cluster.leader());
            commit(cluster, successor, 30, allBut(cluster, behind));
            assertCompactedPast(cluster, successor, behind);
            assertTrue(cluster.storage(successor).snapshotMetadata().index() > 0);

            cluster.restart(behind);
            cluster.compaction(0, 0);
            final long last = commit(cluster, successor, 10, all(cluster));
            assertEquals(successor, cluster.leader());
            assertCaughtUpBySnapshotThenLog(cluster, behind, last);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void everyNodeRestartsFromItsOwnSnapshot(final int size)
    {
        SeededRuns.run("RaftSnapshotScenarioTest", 12000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = compactingCluster(size, seed);
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long before = commit(cluster, leader, 70, all(cluster));
            for (int id = 1; id <= size; id++)
            {
                cluster.crash(id);
            }
            for (int id = 1; id <= size; id++)
            {
                cluster.restart(id);
                // The state machine comes back from the snapshot; only entries after it are applied again.
                final long snapshotIndex = cluster.storage(id).snapshotMetadata().index();
                assertTrue(snapshotIndex >= COMPACT_EVERY, "node " + id + " snapshot at " + snapshotIndex);
                assertEquals(snapshotIndex, cluster.node(id).appliedIndex());
                assertTrue(cluster.node(id).commitIndex() >= snapshotIndex);
            }
            cluster.awaitApplied(before, ELECTION_BOUND_TICKS, all(cluster));
            final int newLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            commit(cluster, newLeader, 10, all(cluster));
            cluster.checkLogMatching();
        });
    }
}
