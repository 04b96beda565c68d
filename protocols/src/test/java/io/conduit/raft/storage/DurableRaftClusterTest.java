package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftMessage;
import io.conduit.raft.RaftNode;
import io.conduit.raft.RaftRole;
import io.conduit.raft.Ready;
import io.conduit.raft.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end: three {@link RaftNode}s, each on its own {@link DurableRaftStorage}, driven on virtual time by a minimal
 * loop that handles every Ready in the documented order (send, append + save + persist, send after persist, apply,
 * advance) over a lossless in-order network. After every node crashes and restarts from disk alone, what was
 * committed is still there and the cluster goes on committing. With compaction on, each node snapshots its state
 * machine (its applied index and a digest of everything applied) into the durable storage and compacts its log; a
 * follower that was down is caught up by InstallSnapshot, and after a crash of every node each restores its state
 * machine from its own snapshot on disk.
 */
class DurableRaftClusterTest
{
    private static final int SIZE = 3;
    private static final int[] VOTERS = {1, 2, 3};
    private static final SegmentedLogConfig CONFIG = new SegmentedLogConfig(4096, 1024, 1024);

    @TempDir
    Path dir;

    private final DurableRaftStorage[] storages = new DurableRaftStorage[SIZE + 1];
    private final RaftNode[] nodes = new RaftNode[SIZE + 1];
    private final long[] lastApplied = new long[SIZE + 1];
    private final ArrayDeque<RaftMessage> network = new ArrayDeque<>();
    /** Every entry any node applied, by index: all nodes must apply the same one (state machine safety). */
    private final Map<Long, LogEntry> appliedByIndex = new HashMap<>();
    /** The state machine: a running digest of what each node applied, and the digest after each index. */
    private final long[] digest = new long[SIZE + 1];
    private final Map<Long, Long> digestAt = new HashMap<>();
    private int compactEvery;
    private long ticks;

    @AfterEach
    void closeStorages() throws IOException
    {
        for (int id = 1; id <= SIZE; id++)
        {
            if (storages[id] != null)
            {
                storages[id].close();
            }
        }
    }

    @Test
    void committedEntriesSurviveACrashOfEveryNode() throws IOException
    {
        for (int id = 1; id <= SIZE; id++)
        {
            start(id, 1);
        }
        final List<Long> firstIndexes = proposeAndCommit("before", 100);
        final int oldLeader = leader();
        final long committed = nodes[oldLeader].commitIndex();
        assertTrue(committed >= firstIndexes.get(firstIndexes.size() - 1));
        final Map<Long, LogEntry> committedBefore = new HashMap<>();
        for (long index = 1; index <= committed; index++)
        {
            committedBefore.put(index, appliedByIndex.get(index));
        }

        // Crash: the nodes and everything in flight vanish; what is staged but not persisted is lost.
        network.clear();
        for (int id = 1; id <= SIZE; id++)
        {
            nodes[id] = null;
            storages[id].abandon();
            storages[id] = null;
        }
        for (int id = 1; id <= SIZE; id++)
        {
            start(id, 2);
        }
        assertCommittedOnMajority(committedBefore);
        runUntil("a leader after restart", () -> leader() != 0, 500);

        final List<Long> afterIndexes = proposeAndCommit("after", 20);
        assertTrue(afterIndexes.get(0) > committed, "new entries follow the old ones");
        runUntil("every node applied everything", () ->
        {
            for (int id = 1; id <= SIZE; id++)
            {
                if (lastApplied[id] < afterIndexes.get(afterIndexes.size() - 1))
                {
                    return false;
                }
            }
            return true;
        }, 500);
        for (long index = 1; index <= committed; index++)
        {
            assertSame(committedBefore.get(index), appliedByIndex.get(index));
        }
        assertCommittedOnMajority(committedBefore);
    }

    @Test
    void aFollowerBehindTheCompactedLogIsCaughtUpBySnapshotAndEveryNodeRestartsFromItsOwn() throws IOException
    {
        compactEvery = 25;
        for (int id = 1; id <= SIZE; id++)
        {
            start(id, 1);
        }
        proposeAndCommit("warm", 10);
        final int behind = leader() == 3 ? 2 : 3;
        nodes[behind] = null;
        storages[behind].abandon();
        storages[behind] = null;
        final List<Long> indexes = proposeAndCommit("while-down", 120);
        final int leader = leader();
        runUntil("the other follower applied everything", () ->
            Arrays.stream(new int[]{1, 2, 3}).filter(id -> id != behind)
                .allMatch(id -> lastApplied[id] >= indexes.get(indexes.size() - 1)), 500);
        assertTrue(storages[leader].firstIndex() > 12, "the leader compacted: " + storages[leader].firstIndex());

        start(behind, 2);
        final List<Long> after = proposeAndCommit("after", 5);
        final long last = after.get(after.size() - 1);
        runUntil("the follower caught up", () -> lastApplied[behind] >= last, 500);
        assertTrue(storages[behind].snapshotMetadata().index() > 10, "caught up by a snapshot on disk");
        assertArrayEquals(new int[]{1, 2, 3}, storages[behind].snapshotMetadata().voters());

        network.clear();
        for (int id = 1; id <= SIZE; id++)
        {
            nodes[id] = null;
            storages[id].abandon();
            storages[id] = null;
        }
        for (int id = 1; id <= SIZE; id++)
        {
            start(id, 3);
            final long snapshotIndex = storages[id].snapshotMetadata().index();
            assertTrue(snapshotIndex > 0, "node " + id + " has a snapshot on disk");
            assertEquals(snapshotIndex, nodes[id].appliedIndex(), "node " + id + " starts from its snapshot");
        }
        final List<Long> finalIndexes = proposeAndCommit("final", 10);
        runUntil("every node applied everything", () -> Arrays.stream(new int[]{1, 2, 3})
            .allMatch(id -> lastApplied[id] >= finalIndexes.get(finalIndexes.size() - 1)), 500);
    }

    /** Proposes {@code count} commands to the current leader and runs until each is applied there. */
    private List<Long> proposeAndCommit(final String tag, final int count)
    {
        runUntil("a leader", () -> leader() != 0, 500);
        final List<Long> indexes = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final int leader = leader();
            final byte[] command = (tag + '-' + i).getBytes(StandardCharsets.US_ASCII);
            final long index = nodes[leader].propose(command);
            assertTrue(index > 0, "node " + leader + " refused a proposal as leader");
            drain(leader);
            indexes.add(index);
            if (i % 7 == 6)
            {
                step(); // let some proposals batch, others go one by one
            }
        }
        final long last = indexes.get(indexes.size() - 1);
        runUntil(tag + " proposals applied on the leader", () -> leader() != 0 && lastApplied[leader()] >= last,
            500);
        for (int i = 0; i < count; i++)
        {
            final LogEntry applied = appliedByIndex.get(indexes.get(i));
            assertArrayEquals((tag + '-' + i).getBytes(StandardCharsets.US_ASCII), applied.payload(),
                "proposal " + i + " at index " + indexes.get(i));
        }
        return indexes;
    }

    /** Raft §5.4: a committed entry is in the log of a majority at the same index with the same term. */
    private void assertCommittedOnMajority(final Map<Long, LogEntry> committed)
    {
        for (final Map.Entry<Long, LogEntry> e : committed.entrySet())
        {
            int holders = 0;
            for (int id = 1; id <= SIZE; id++)
            {
                final DurableRaftStorage storage = storages[id];
                if (storage.lastIndex() >= e.getKey())
                {
                    final List<LogEntry> out = new ArrayList<>();
                    storage.entries(e.getKey(), e.getKey() + 1, Long.MAX_VALUE, out);
                    if (out.get(0).term() == e.getValue().term() &&
                        Arrays.equals(out.get(0).payload(), e.getValue().payload()))
                    {
                        holders++;
                    }
                }
            }
            assertTrue(holders >= SIZE / 2 + 1, "committed entry " + e.getValue() + " held by only " + holders);
        }
    }

    private static void assertSame(final LogEntry expected, final LogEntry actual)
    {
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.term(), actual.term(), "term at " + expected.index());
        assertArrayEquals(expected.payload(), actual.payload(), "payload at " + expected.index());
    }

    // ------------------------------------------------------------------------------------------- driver

    private void start(final int id, final long incarnation) throws IOException
    {
        storages[id] = DurableRaftStorage.open(dir.resolve("node" + id), CONFIG);
        nodes[id] = new RaftNode(
            RaftConfig.defaults(id, VOTERS, new SplittableRandom(incarnation * 100 + id))
                .withSnapshotTransfer(64, 2, 1 << 20), storages[id]);
        // The state machine is rebuilt from the snapshot (or index 1), and must come out the same.
        lastApplied[id] = 0;
        digest[id] = 0;
        final Snapshot snapshot = storages[id].snapshot();
        if (snapshot != null)
        {
            restore(id, snapshot);
        }
    }

    private void restore(final int id, final Snapshot snapshot)
    {
        final ByteBuffer data = ByteBuffer.wrap(snapshot.data());
        final long index = data.getLong();
        final long stateDigest = data.getLong();
        assertEquals(snapshot.metadata().index(), index);
        assertEquals(digestAt.get(index), stateDigest, "node " + id + " restored another state at " + index);
        assertTrue(index > lastApplied[id], "a restore never goes back");
        lastApplied[id] = index;
        digest[id] = stateDigest;
    }

    private void maybeCompact(final int id)
    {
        final DurableRaftStorage storage = storages[id];
        if (compactEvery > 0 && lastApplied[id] - storage.snapshotMetadata().index() >= compactEvery)
        {
            final byte[] state = ByteBuffer.allocate(2 * Long.BYTES).putLong(lastApplied[id]).putLong(digest[id])
                .array();
            storage.createSnapshot(lastApplied[id], VOTERS, new int[0], state);
            storage.compact(lastApplied[id] - 5);
        }
    }

    private int leader()
    {
        long maxTerm = 0;
        for (int id = 1; id <= SIZE; id++)
        {
            maxTerm = nodes[id] == null ? maxTerm : Math.max(maxTerm, nodes[id].term());
        }
        for (int id = 1; id <= SIZE; id++)
        {
            if (nodes[id] != null && nodes[id].role() == RaftRole.LEADER && nodes[id].term() == maxTerm)
            {
                return id;
            }
        }
        return 0;
    }

    private void runUntil(final String what, final BooleanSupplier condition, final int maxTicks)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            step();
        }
        if (!condition.getAsBoolean())
        {
            fail("not reached in " + maxTicks + " ticks (at tick " + ticks + "): " + what);
        }
    }

    /**
     * One tick: every live node ticks, then every message sent so far is delivered (replies go out next tick);
     * messages to a crashed node are lost.
     */
    private void step()
    {
        ticks++;
        for (int id = 1; id <= SIZE; id++)
        {
            if (nodes[id] != null)
            {
                nodes[id].tick();
                drain(id);
            }
        }
        for (int pending = network.size(); pending > 0; pending--)
        {
            final RaftMessage m = network.poll();
            if (nodes[m.to()] != null)
            {
                nodes[m.to()].step(m);
                drain(m.to());
            }
        }
    }

    /** Handles Readies in the order {@link Ready} prescribes, with one persist (group commit) per Ready. */
    private void drain(final int id)
    {
        final RaftNode node = nodes[id];
        final DurableRaftStorage storage = storages[id];
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            network.addAll(ready.messages());
            if (ready.snapshot() != null)
            {
                storage.applySnapshot(ready.snapshot().metadata(), ready.snapshot().data());
            }
            storage.append(ready.entries());
            if (ready.hardState() != null)
            {
                storage.saveHardState(ready.hardState());
            }
            storage.persist();
            network.addAll(ready.messagesAfterPersist());
            if (ready.snapshot() != null)
            {
                restore(id, ready.snapshot());
            }
            for (final LogEntry entry : ready.committedEntries())
            {
                apply(id, entry);
            }
            node.advance();
            maybeCompact(id);
        }
    }

    private void apply(final int id, final LogEntry entry)
    {
        assertEquals(lastApplied[id] + 1, entry.index(), "node " + id + " applies in order");
        lastApplied[id] = entry.index();
        digest[id] = digest[id] * 31 + entry.term() * 17 + Arrays.hashCode(entry.payload());
        final Long expected = digestAt.putIfAbsent(entry.index(), digest[id]);
        assertEquals(expected == null ? digest[id] : expected, digest[id], "node " + id + " state at " + entry);
        final LogEntry first = appliedByIndex.putIfAbsent(entry.index(), entry);
        if (first != null)
        {
            assertSame(first, entry);
        }
    }
}
