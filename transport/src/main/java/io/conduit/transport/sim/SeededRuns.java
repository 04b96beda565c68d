package io.conduit.transport.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * Runs a seeded test body over a range of seeds and, on failure, names the seed and the command that replays it.
 * The seeds come from system properties so a run can be widened or narrowed without editing the test:
 * {@code -Dconduit.seed=N} runs exactly seed N, {@code -Dconduit.seeds=N} runs N seeds from the first, and
 * {@code -Dconduit.soak=true} multiplies the count by {@value #SOAK_MULTIPLIER}. Test support kept in the main tree so
 * other modules can use it; see {@code docs/simulator.md}.
 */
public final class SeededRuns
{
    public static final String SEED_PROPERTY = "conduit.seed";
    public static final String SEEDS_PROPERTY = "conduit.seeds";
    public static final String SOAK_PROPERTY = "conduit.soak";
    public static final int SOAK_MULTIPLIER = 100;

    private static final String TRANSPORT_MODULE = "transport";

    private SeededRuns()
    {
    }

    /**
     * Runs {@code body} for each seed in turn and stops at the first failure, rethrown as an {@link AssertionError}
     * whose message starts with {@code SEED=<n>}. {@code testName} is what surefire's {@code -Dtest=} accepts, such
     * as {@code RaftElectionTest} or {@code RaftElectionTest#electsOneLeader}.
     */
    public static void run(final String testName, final long firstSeed, final int defaultCount, final LongConsumer body)
    {
        run(System::getProperty, testName, firstSeed, defaultCount, body);
    }

    /**
     * Like {@link #run} but spreads the seeds over a fixed pool of {@link Runtime#availableProcessors()} threads.
     * Each seed still runs deterministically on one thread, so {@code body} must not share mutable state between
     * seeds. Every seed below a failing one is still run, so the reported seed is the smallest that fails.
     */
    public static void runParallel(
        final String testName, final long firstSeed, final int defaultCount, final LongConsumer body)
    {
        runParallel(System::getProperty, testName, firstSeed, defaultCount, body);
    }

    /** The seeds a run would use, after applying the system properties. */
    public static long[] seeds(final long firstSeed, final int defaultCount)
    {
        return seeds(System::getProperty, firstSeed, defaultCount);
    }

    /** The Maven command that reruns {@code testName} with only {@code seed}. */
    public static String replayCommand(final String testName, final long seed)
    {
        return replayCommand(System::getProperty, testName, seed);
    }

    static void run(
        final UnaryOperator<String> properties,
        final String testName,
        final long firstSeed,
        final int defaultCount,
        final LongConsumer body)
    {
        for (final long seed : seeds(properties, firstSeed, defaultCount))
        {
            try
            {
                body.accept(seed);
            }
            catch (final Throwable failure)
            {
                throw seedFailure(properties, testName, seed, failure);
            }
        }
    }

    static void runParallel(
        final UnaryOperator<String> properties,
        final String testName,
        final long firstSeed,
        final int defaultCount,
        final LongConsumer body)
    {
        final long[] seeds = seeds(properties, firstSeed, defaultCount);
        final int threadCount = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), seeds.length));
        final AtomicInteger nextIndex = new AtomicInteger();
        final AtomicInteger lowestFailedIndex = new AtomicInteger(Integer.MAX_VALUE);
        final AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(seeds.length);

        // Indices are claimed in increasing order, so once index i has failed every lower index is already claimed
        // and will finish: the lowest recorded failure is then the lowest failing seed overall.
        final Callable<Void> worker = () ->
        {
            int index;
            while ((index = nextIndex.getAndIncrement()) < seeds.length && index < lowestFailedIndex.get())
            {
                try
                {
                    body.accept(seeds[index]);
                }
                catch (final Throwable failure)
                {
                    failures.set(index, failure);
                    lowestFailedIndex.accumulateAndGet(index, Math::min);
                }
            }
            return null;
        };

        final AtomicInteger threadNumber = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(threadCount, runnable ->
        {
            final String name = "seeded-runs-" + testName + "-" + threadNumber.incrementAndGet();
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final List<Future<Void>> futures = new ArrayList<>(threadCount);
            for (int i = 0; i < threadCount; i++)
            {
                futures.add(pool.submit(worker));
            }
            for (final Future<Void> future : futures)
            {
                future.get();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running seeds of " + testName, ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("seed worker failed outside the test body", ex.getCause());
        }
        finally
        {
            pool.shutdownNow();
        }

        final int failedIndex = lowestFailedIndex.get();
        if (failedIndex != Integer.MAX_VALUE)
        {
            throw seedFailure(properties, testName, seeds[failedIndex], failures.get(failedIndex));
        }
    }

    static long[] seeds(final UnaryOperator<String> properties, final long firstSeed, final int defaultCount)
    {
        if (defaultCount < 1)
        {
            throw new IllegalArgumentException("defaultCount must be positive: " + defaultCount);
        }
        final String replaySeed = properties.apply(SEED_PROPERTY);
        if (replaySeed != null && !replaySeed.isBlank())
        {
            return new long[]{ parseLong(SEED_PROPERTY, replaySeed) };
        }

        int count = defaultCount;
        final String countOverride = properties.apply(SEEDS_PROPERTY);
        if (countOverride != null && !countOverride.isBlank())
        {
            final long parsed = parseLong(SEEDS_PROPERTY, countOverride);
            if (parsed < 1 || parsed > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(SEEDS_PROPERTY + " must be in [1, 2^31 - 1]: " + countOverride);
            }
            count = (int)parsed;
        }
        if (Boolean.parseBoolean(properties.apply(SOAK_PROPERTY)))
        {
            count = Math.multiplyExact(count, SOAK_MULTIPLIER);
        }

        final long[] seeds = new long[count];
        for (int i = 0; i < count; i++)
        {
            seeds[i] = firstSeed + i;
        }
        return seeds;
    }

    static String replayCommand(final UnaryOperator<String> properties, final String testName, final long seed)
    {
        final String module = moduleName(properties);
        // Other modules need the transport module built alongside them (-am), where the test filter matches nothing.
        final String alsoMake = TRANSPORT_MODULE.equals(module) ? "" : " -am -Dsurefire.failIfNoSpecifiedTests=false";
        return "mvn -pl " + module + alsoMake + " test -Dtest=" + testName + " -D" + SEED_PROPERTY + "=" + seed;
    }

    private static AssertionError seedFailure(
        final UnaryOperator<String> properties, final String testName, final long seed, final Throwable failure)
    {
        return new AssertionError(
            "SEED=" + seed + " " + testName + " failed: " + failure +
            "\nReplay with: " + replayCommand(properties, testName, seed),
            failure);
    }

    /** Surefire sets {@code basedir} to the module directory, whose name is what {@code mvn -pl} expects. */
    private static String moduleName(final UnaryOperator<String> properties)
    {
        final String basedir = properties.apply("basedir");
        if (basedir == null || basedir.isBlank())
        {
            return TRANSPORT_MODULE;
        }
        final Path fileName = Path.of(basedir).getFileName();
        return fileName == null ? TRANSPORT_MODULE : fileName.toString();
    }

    private static long parseLong(final String property, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(property + " must be an integer: " + value, ex);
        }
    }
}
