package io.conduit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import static io.conduit.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.conduit.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The checker against ground truth: histories executed against a sequential map are linearizable by construction,
 * and mutations that provably break linearizability are caught; on small arbitrary histories the checker agrees
 * with a brute-force search of every order. Each history comes from the seed jqwik reports on failure.
 */
class LinearizabilityProperties
{
    private static final KvModel KV = new KvModel();
    private static final int OPS_PER_CLIENT = 40;

    @Property(tries = 300)
    void executedHistoriesAreLinearizable(
        @ForAll final long seed,
        @ForAll @IntRange(min = 1, max = 5) final int clients,
        @ForAll @IntRange(min = 1, max = 4) final int keys,
        @ForAll @IntRange(min = 0, max = 10) final int openPercent)
    {
        final History history = SimulatedKvHistories.generate(new Random(seed), clients, OPS_PER_CLIENT, keys,
            openPercent);

        final CheckResult result = LinearizabilityChecker.check(history, KV);

        assertEquals(LINEARIZABLE, result.verdict(), result::explanation);
    }

    @Property(tries = 300)
    void readOfAValueNeverWrittenIsNotLinearizable(
        @ForAll final long seed,
        @ForAll @IntRange(min = 1, max = 5) final int clients,
        @ForAll @IntRange(min = 1, max = 4) final int keys)
    {
        final Random random = new Random(seed);
        final List<HistoryEntry> entries = SimulatedKvHistories.generate(random, clients, OPS_PER_CLIENT, keys, 5)
            .entries();
        final List<HistoryEntry> reads = entries.stream()
            .filter((e) -> !e.isOpen() && e.operation() instanceof KvOperation.Get)
            .toList();
        Assume.that(!reads.isEmpty());
        final HistoryEntry victim = reads.get(random.nextInt(reads.size()));

        final CheckResult result = LinearizabilityChecker.check(
            SimulatedKvHistories.withResults(entries, Map.of(victim.id(), KvResult.value("never-written"))), KV);

        assertEquals(NOT_LINEARIZABLE, result.verdict());
        assertEquals(((KvOperation)victim.operation()).key(), result.partitionKey());
    }

    /**
     * Swaps the results of two reads of one key where the first returned before the second began and the second saw
     * a value whose only write began after the first returned: the first read now sees the future.
     */
    @Property(tries = 300)
    void swappingResultsOfOrderedReadsIsNotLinearizable(
        @ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 5) final int clients,
        @ForAll @IntRange(min = 1, max = 2) final int keys)
    {
        final Random random = new Random(seed);
        final List<HistoryEntry> entries = SimulatedKvHistories.generate(random, clients, OPS_PER_CLIENT, keys, 5)
            .entries();
        final List<HistoryEntry[]> pairs = provablyOrderedReadPairs(entries);
        Assume.that(!pairs.isEmpty());
        final HistoryEntry[] pair = pairs.get(random.nextInt(pairs.size()));

        final CheckResult result = LinearizabilityChecker.check(SimulatedKvHistories.withResults(entries,
            Map.of(pair[0].id(), pair[1].result(), pair[1].id(), pair[0].result())), KV);

        assertEquals(NOT_LINEARIZABLE, result.verdict());
    }

    @Property(tries = 3_000)
    void agreesWithBruteForceOnSmallArbitraryHistories(@ForAll final long seed)
    {
        final History history = smallArbitraryHistory(new Random(seed));

        final boolean expected = BruteForceLinearizability.isLinearizable(history.entries(), KV);
        final CheckResult result = LinearizabilityChecker.check(history, KV);

        Statistics.label("linearizable").collect(expected);
        Statistics.label("linearizable").coverage((coverage) ->
        {
            coverage.check(true).percentage((percent) -> percent > 10);
            coverage.check(false).percentage((percent) -> percent > 10);
        });
        assertEquals(expected ? LINEARIZABLE : NOT_LINEARIZABLE, result.verdict(), result::explanation);
    }

    private static List<HistoryEntry[]> provablyOrderedReadPairs(final List<HistoryEntry> entries)
    {
        final Map<String, HistoryEntry> writerOf = new HashMap<>();
        for (final HistoryEntry entry : entries)
        {
            if (entry.operation() instanceof KvOperation.Put put)
            {
                writerOf.put(put.value(), entry);
            }
            else if (entry.operation() instanceof KvOperation.Cas cas)
            {
                writerOf.put(cas.update(), entry);
            }
        }
        final List<HistoryEntry> reads = entries.stream()
            .filter((e) -> !e.isOpen() && e.operation() instanceof KvOperation.Get)
            .toList();
        final List<HistoryEntry[]> pairs = new ArrayList<>();
        for (final HistoryEntry first : reads)
        {
            for (final HistoryEntry second : reads)
            {
                if (second.result() instanceof KvResult.Value seen &&
                    first.operation().equals(second.operation()) &&
                    !first.result().equals(second.result()) &&
                    first.returnNs() < second.invokeNs() &&
                    writerOf.get(seen.value()).invokeNs() > first.returnNs())
                {
                    pairs.add(new HistoryEntry[]{first, second});
                }
            }
        }
        return pairs;
    }

    // Up to 7 operations on two keys with few values and answers chosen at random, so that both verdicts are common.
    private static History smallArbitraryHistory(final Random random)
    {
        final String[] values = {"a", "b"};
        final History history = new History();
        final int count = 1 + random.nextInt(7);
        for (int i = 0; i < count; i++)
        {
            final String key = random.nextInt(100) < 75 ? "x" : "y";
            final String value = values[random.nextInt(values.length)];
            final KvOperation operation;
            final KvResult result;
            switch (random.nextInt(4))
            {
                case 0 ->
                {
                    operation = KvOperation.get(key);
                    result = random.nextInt(3) == 0 ? KvResult.MISSING : KvResult.value(value);
                }
                case 1 ->
                {
                    operation = KvOperation.put(key, value);
                    result = KvResult.OK;
                }
                case 2 ->
                {
                    final String expected = random.nextInt(3) == 0 ? null : values[random.nextInt(values.length)];
                    operation = KvOperation.cas(key, expected, value);
                    result = random.nextBoolean() ? KvResult.OK : KvResult.FAIL;
                }
                default ->
                {
                    operation = KvOperation.delete(key);
                    result = KvResult.OK;
                }
            }
            final long invokeNs = random.nextInt(30);
            final int id = history.invoke(random.nextInt(3), operation, invokeNs);
            if (random.nextInt(100) >= 15)
            {
                history.complete(id, result, invokeNs + random.nextInt(15));
            }
        }
        return history;
    }
}
