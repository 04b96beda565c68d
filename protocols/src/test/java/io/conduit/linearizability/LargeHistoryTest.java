package io.conduit.linearizability;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static io.conduit.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.conduit.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Histories of the size a simulated Raft or chain test produces: 5 clients × 2,000 operations on 10 keys, about
 * 1,000 operations per key. Nothing is asserted about time; the test stays fast only while the search does.
 */
class LargeHistoryTest
{
    private static final long SEED = 0x5EED_2024L;
    private static final int OPEN_PERCENT = 5;

    @Test
    void fiveClientsTimesTwoThousandOperationsOnTenKeysAreLinearizable()
    {
        final History history = SimulatedKvHistories.generate(new Random(SEED), 5, 2_000, 10, OPEN_PERCENT);

        final CheckResult result = LinearizabilityChecker.check(history, new KvModel());

        assertEquals(LINEARIZABLE, result.verdict(), result::explanation);
    }

    @Test
    void oneBadReadLateInALargeHistoryIsFound()
    {
        final List<HistoryEntry> entries =
            SimulatedKvHistories.generate(new Random(SEED), 5, 2_000, 10, OPEN_PERCENT).entries();
        HistoryEntry victim = null;
        for (int i = entries.size() - 1; victim == null; i--)
        {
            if (!entries.get(i).isOpen() && entries.get(i).operation() instanceof KvOperation.Get)
            {
                victim = entries.get(i);
            }
        }

        final CheckResult result = LinearizabilityChecker.check(
            SimulatedKvHistories.withResults(entries, Map.of(victim.id(), KvResult.value("never-written"))),
            new KvModel());

        assertEquals(NOT_LINEARIZABLE, result.verdict());
        assertEquals(victim.id(), result.involved().get(0).id(), result::explanation);
    }
}
