package io.conduit.transport.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives {@link SeededRuns} with explicit properties so the test never depends on how the JVM was started. */
class SeededRunsTest
{
    private final Map<String, String> properties = new HashMap<>();
    private final UnaryOperator<String> lookup = properties::get;
    /** Consumes the busy work so the JIT cannot remove it. */
    private final LongAdder sink = new LongAdder();

    @Test
    void defaultRunCoversTheRangeFromTheFirstSeed()
    {
        final List<Long> seen = new ArrayList<>();
        SeededRuns.run(lookup, "SomeTest", 10, 5, seen::add);
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), seen);
    }

    @Test
    void seedPropertyReplaysExactlyOneSeed()
    {
        properties.put(SeededRuns.SEED_PROPERTY, "987654321");
        properties.put(SeededRuns.SEEDS_PROPERTY, "50");
        properties.put(SeededRuns.SOAK_PROPERTY, "true");
        assertArrayEquals(new long[] { 987654321L }, SeededRuns.seeds(lookup, 10, 5));
    }

    @Test
    void seedsPropertyOverridesTheCountAndSoakMultipliesIt()
    {
        properties.put(SeededRuns.SEEDS_PROPERTY, "3");
        assertArrayEquals(new long[] { 7, 8, 9 }, SeededRuns.seeds(lookup, 7, 1_000));

        properties.put(SeededRuns.SOAK_PROPERTY, "true");
        final long[] soak = SeededRuns.seeds(lookup, 7, 1_000);
        assertEquals(3 * SeededRuns.SOAK_MULTIPLIER, soak.length);
        assertEquals(7 + 3 * SeededRuns.SOAK_MULTIPLIER - 1, soak[soak.length - 1]);

        properties.remove(SeededRuns.SEEDS_PROPERTY);
        assertEquals(4 * SeededRuns.SOAK_MULTIPLIER, SeededRuns.seeds(lookup, 0, 4).length);
        properties.put(SeededRuns.SOAK_PROPERTY, "false");
        assertEquals(4, SeededRuns.seeds(lookup, 0, 4).length);
    }

    @Test
    void malformedPropertiesAreRejected()
    {
        properties.put(SeededRuns.SEED_PROPERTY, "twelve");
        assertThrows(IllegalArgumentException.class, () -> SeededRuns.seeds(lookup, 0, 4));
        properties.remove(SeededRuns.SEED_PROPERTY);
        properties.put(SeededRuns.SEEDS_PROPERTY, "0");
        assertThrows(IllegalArgumentException.class, () -> SeededRuns.seeds(lookup, 0, 4));
        properties.remove(SeededRuns.SEEDS_PROPERTY);
        assertThrows(IllegalArgumentException.class, () -> SeededRuns.seeds(lookup, 0, 0));
    }

    @Test
    void failureNamesTheSeedAndHowToReplayItAndStopsThere()
    {
        properties.put("basedir", "/work/repo/transport");
        final List<Long> seen = new ArrayList<>();
        final IllegalStateException original = new IllegalStateException("invariant broken");
        final AssertionError error = assertThrows(AssertionError.class, () -> SeededRuns.run(lookup, "RaftTest", 10, 10,
            seed ->
            {
                seen.add(seed);
                if (seed == 13)
                {
                    throw original;
                }
            }));

        assertTrue(error.getMessage().startsWith("SEED=13 "), error.getMessage());
        assertTrue(error.getMessage().contains("invariant broken"), error.getMessage());
        final String replay = "mvn -pl transport test -Dtest=RaftTest -Dconduit.seed=13";
        assertTrue(error.getMessage().contains(replay), error.getMessage());
        assertSame(original, error.getCause());
        assertEquals(List.of(10L, 11L, 12L, 13L), seen);
    }

    @Test
    void replayCommandNamesTheModuleTheTestRunsIn()
    {
        properties.put("basedir", "/work/repo/protocols");
        assertEquals(
            "mvn -pl protocols -am -Dsurefire.failIfNoSpecifiedTests=false test " +
                "-Dtest=ChainTest#heals -Dconduit.seed=5",
            SeededRuns.replayCommand(lookup, "ChainTest#heals", 5));
        properties.remove("basedir");
        assertEquals(
            "mvn -pl transport test -Dtest=X -Dconduit.seed=-1", SeededRuns.replayCommand(lookup, "X", -1));
    }

    @Test
    void parallelRunCoversEverySeedOnce()
    {
        final Map<Long, Integer> runs = new ConcurrentHashMap<>();
        SeededRuns.runParallel(lookup, "SomeTest", 1_000, 500, seed -> runs.merge(seed, 1, Integer::sum));
        assertEquals(500, runs.size());
        for (long seed = 1_000; seed < 1_500; seed++)
        {
            assertEquals(1, runs.get(seed), "seed " + seed);
        }
    }

    @Test
    void parallelRunReportsTheSmallestFailingSeedAfterRunningAllBelowIt()
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            final Set<Long> ran = ConcurrentHashMap.newKeySet();
            final AssertionError error = assertThrows(AssertionError.class, () -> SeededRuns.runParallel(
                lookup, "SomeTest", 0, 400,
                seed ->
                {
                    ran.add(seed);
                    // Higher seeds fail fast and lower ones are slow, so workers see later failures first.
                    if (seed >= 50 && seed % 7 == 3)
                    {
                        throw new AssertionError("bad seed " + seed);
                    }
                    sink.add(spin(seed < 52 ? 20_000 : 10));
                }));
            assertTrue(error.getMessage().startsWith("SEED=52 "), error.getMessage());
            assertEquals("bad seed 52", error.getCause().getMessage());
            for (long seed = 0; seed < 52; seed++)
            {
                assertTrue(ran.contains(seed), "seed " + seed + " below the failure was run");
            }
        }
    }

    @Test
    void parallelRunWithOneReplaySeedRunsJustThatSeed()
    {
        properties.put(SeededRuns.SEED_PROPERTY, "77");
        final Set<Long> ran = ConcurrentHashMap.newKeySet();
        SeededRuns.runParallel(lookup, "SomeTest", 0, 400, ran::add);
        assertEquals(Set.of(77L), ran);
    }

    private static long spin(final long iterations)
    {
        long x = iterations;
        for (long i = 0; i < iterations; i++)
        {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
