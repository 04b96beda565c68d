package io.conduit.raft.storage;

import java.io.IOException;
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
 * committed is still there and the cluster goes on committing.
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
            RaftConfig.defaults(id, VOTERS, new SplittableRandom(incarnation * 100 + id)), storages[id]);
        lastApplied[id] = 0; // the state machine is rebuilt from index 1, and must come out the same
    }

    private int leader()
    {
        long maxTerm = 0;
        for (int id = 1; id <= SIZE; id++)
        {
            maxTerm = Math.max(maxTerm, nodes[id].term());
        }
        for (int id = 1; id <= SIZE; id++)
        {
            if (nodes[id].role() == RaftRole.LEADER && nodes[id].term() == maxTerm)
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

    /** One tick: every node ticks, then every message sent so far is delivered (replies go out next tick). */
    private void step()
    {
        ticks++;
        for (int id = 1; id <= SIZE; id++)
        {
            nodes[id].tick();
            drain(id);
        }
        for (int pending = network.size(); pending > 0; pending--)
        {
            final RaftMessage m = network.poll();
            nodes[m.to()].step(m);
            drain(m.to());
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
            storage.append(ready.entries());
            if (ready.hardState() != null)
            {
                storage.saveHardState(ready.hardState());
            }
            storage.persist();
            network.addAll(ready.messagesAfterPersist());
            for (final LogEntry entry : ready.committedEntries())
            {
                apply(id, entry);
            }
            node.advance();
        }
    }

    private void apply(final int id, final LogEntry entry)
    {
        assertEquals(lastApplied[id] + 1, entry.index(), "node " + id + " applies in order");
        lastApplied[id] = entry.index();
        final LogEntry first = appliedByIndex.putIfAbsent(entry.index(), entry);
        if (first != null)
        {
            assertSame(first, entry);
        }
    }
}
