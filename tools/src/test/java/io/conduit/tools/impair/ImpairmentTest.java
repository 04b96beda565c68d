package io.conduit.tools.impair;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImpairmentTest
{
    private static final int DATAGRAMS = 100_000;
    private static final long GAP_NS = 100_000;
    private static final long SEED = 42;

    @Test
    void lossDropsTheConfiguredShareAndCountsIt()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().lossProbability(0.1));
        final byte[] data = new byte[100];
        int dropped = 0;
        for (int i = 0; i < DATAGRAMS; i++)
        {
            dropped += impairment.onDatagram(i * GAP_NS, data, 0, data.length) == 0 ? 1 : 0;
        }
        assertWithinFiveSigma(DATAGRAMS, 0.1, dropped);
        assertEquals(dropped, impairment.stats().dropped());
        assertEquals(DATAGRAMS, impairment.stats().received());
    }

    @Test
    void lossOfOneDropsEverythingAndZeroNothing()
    {
        final Impairment all = impairment(new ImpairmentConfig().lossProbability(1));
        final Impairment none = impairment(new ImpairmentConfig());
        final byte[] data = new byte[10];
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(0, all.onDatagram(i, data, 0, data.length));
            assertEquals(1, none.onDatagram(i, data, 0, data.length));
            assertEquals(i, none.releaseNs(0));
        }
    }

    @Test
    void duplicationSendsTwoCopiesAtTheConfiguredRate()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().duplicateProbability(0.05));
        final byte[] data = new byte[100];
        int duplicated = 0;
        for (int i = 0; i < DATAGRAMS; i++)
        {
            final int copies = impairment.onDatagram(i * GAP_NS, data, 0, data.length);
            assertTrue(copies == 1 || copies == 2, "copies " + copies);
            duplicated += copies == 2 ? 1 : 0;
        }
        assertWithinFiveSigma(DATAGRAMS, 0.05, duplicated);
        assertEquals(duplicated, impairment.stats().duplicated());
    }

    @Test
    void corruptionFlipsExactlyTheReportedBit()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().corruptProbability(0.2));
        final SplittableRandom content = new SplittableRandom(7);
        final byte[] data = new byte[64];
        final byte[] original = new byte[64];
        int corrupted = 0;
        for (int i = 0; i < DATAGRAMS; i++)
        {
            final int length = 1 + content.nextInt(data.length);
            content.nextBytes(data);
            System.arraycopy(data, 0, original, 0, data.length);
            impairment.onDatagram(i * GAP_NS, data, 0, length);
            final int index = impairment.corruptedIndex();
            if (index < 0)
            {
                assertArrayEquals(original, data);
                continue;
            }
            corrupted++;
            assertTrue(index < length, "corrupted past the datagram: " + index + " of " + length);
            assertEquals(1, Integer.bitCount(impairment.corruptedMask()));
            assertEquals((byte)(original[index] ^ impairment.corruptedMask()), data[index]);
            data[index] = original[index];
            assertArrayEquals(original, data, "bytes other than the reported one changed");
        }
        assertWithinFiveSigma(DATAGRAMS, 0.2, corrupted);
        assertEquals(corrupted, impairment.stats().corrupted());
    }

    @Test
    void corruptionNeverTouchesAnEmptyDatagram()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().corruptProbability(1));
        assertEquals(1, impairment.onDatagram(0, new byte[0], 0, 0));
        assertEquals(-1, impairment.corruptedIndex());
        assertEquals(0, impairment.stats().corrupted());
    }

    @Test
    void delayAndJitterStayWithinBoundsAndSpreadAcrossThem()
    {
        final long delayNs = 10_000_000;
        final long jitterNs = 2_000_000;
        final Impairment impairment = impairment(new ImpairmentConfig().delayNs(delayNs).jitterNs(jitterNs));
        final byte[] data = new byte[10];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sum = 0;
        for (int i = 0; i < DATAGRAMS; i++)
        {
            final long nowNs = i * GAP_NS;
            assertEquals(1, impairment.onDatagram(nowNs, data, 0, data.length));
            final long extraNs = impairment.releaseNs(0) - nowNs;
            min = Math.min(min, extraNs);
            max = Math.max(max, extraNs);
            sum += extraNs;
        }
        assertTrue(min >= delayNs - jitterNs && max <= delayNs + jitterNs, "range " + min + ".." + max);
        assertTrue(min < delayNs - jitterNs * 99 / 100 && max > delayNs + jitterNs * 99 / 100, "too narrow");
        final double meanNs = (double)sum / DATAGRAMS;
        assertEquals(delayNs, meanNs, jitterNs / 100.0);
    }

    @Test
    void jitterLargerThanDelayNeverReleasesBeforeArrival()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().delayNs(1_000).jitterNs(1_000_000));
        final byte[] data = new byte[10];
        for (int i = 0; i < 10_000; i++)
        {
            impairment.onDatagram(i * GAP_NS, data, 0, data.length);
            assertTrue(impairment.releaseNs(0) >= i * GAP_NS);
        }
    }

    @Test
    void reorderedDatagramsLeaveAfterTheOneThatFollows()
    {
        final ImpairmentConfig config = new ImpairmentConfig().reorderProbability(0.1).delayNs(1_000_000);
        final Impairment impairment = impairment(config);
        final ReleaseModel model = new ReleaseModel();
        final byte[] data = new byte[10];
        for (int i = 0; i < DATAGRAMS; i++)
        {
            final long nowNs = i * GAP_NS;
            model.releaseDue(nowNs);
            assertEquals(1, impairment.onDatagram(nowNs, data, 0, data.length));
            model.onDecision(impairment, i);
        }
        model.releaseDue(Long.MAX_VALUE);
        // A datagram that releases a held one is never held, so the share held is p / (1 + p).
        assertWithinFiveSigma(DATAGRAMS, 0.1 / 1.1, impairment.stats().reordered());
        assertEquals(DATAGRAMS, model.released.size());
        // Every held datagram is overtaken by exactly its successor(s) before the hold runs out (gap << hold).
        int overtaken = 0;
        for (int i = 1; i < model.released.size(); i++)
        {
            overtaken += model.released.get(i) < model.released.get(i - 1) ? 1 : 0;
        }
        assertTrue(overtaken > 0, "nothing arrived out of order");
        for (final int held : model.heldIds)
        {
            final int position = model.released.indexOf(held);
            if (held + 1 < DATAGRAMS)
            {
                assertTrue(model.released.indexOf(held + 1) < position, "datagram " + held + " was not overtaken");
            }
        }
    }

    @Test
    void aHoldRunsOutWhenNothingFollows()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().reorderProbability(1).reorderHoldNs(5_000));
        final byte[] data = new byte[10];
        impairment.onDatagram(0, data, 0, data.length);
        assertEquals(0, impairment.heldCopy());
        assertEquals(5_000, impairment.releaseNs(0));
        // Arrives after the first hold ran out: the first has gone at its deadline, nothing to move.
        impairment.onDatagram(10_000, data, 0, data.length);
        assertEquals(Impairment.NONE, impairment.previousHeldReleaseNs());
        assertEquals(0, impairment.heldCopy());
        // Arrives during the second's hold: the second moves to just after this one, which is not held.
        impairment.onDatagram(12_000, data, 0, data.length);
        assertEquals(12_000, impairment.previousHeldReleaseNs());
        assertEquals(-1, impairment.heldCopy());
        assertEquals(12_000, impairment.releaseNs(0));
    }

    @Test
    void tokenBucketHoldsTheRateOnVirtualTimeAndDropsTheOverflow()
    {
        final long rateBitsPerSecond = 10_000_000;
        final ImpairmentConfig config = new ImpairmentConfig().rateBitsPerSecond(rateBitsPerSecond);
        final Impairment impairment = impairment(config);
        final byte[] data = new byte[1_250];
        // Offer twice the rate (1,250 B every 0.5 ms = 20 Mbit/s) for 10 virtual seconds.
        final long gapNs = 500_000;
        final int count = 20_000;
        long forwardedBytes = 0;
        long lastDepartureNs = Long.MIN_VALUE;
        for (int i = 0; i < count; i++)
        {
            final long nowNs = i * gapNs;
            if (impairment.onDatagram(nowNs, data, 0, data.length) == 1)
            {
                final long departureNs = impairment.releaseNs(0);
                assertTrue(departureNs >= nowNs && departureNs >= lastDepartureNs, "departure out of order");
                assertTrue(departureNs - nowNs <= config.transmitNs(config.queueLimitBytes()), "queued too long");
                lastDepartureNs = departureNs;
                forwardedBytes += data.length;
            }
        }
        final double seconds = (double)count * gapNs / 1e9;
        final double expectedBytes = rateBitsPerSecond / 8.0 * seconds;
        assertTrue(forwardedBytes >= expectedBytes * 0.99, "too slow: " + forwardedBytes);
        assertTrue(forwardedBytes <= expectedBytes + config.burstBytes() + config.queueLimitBytes() + data.length,
            "faster than the rate: " + forwardedBytes);
        assertEquals(count - forwardedBytes / data.length, impairment.stats().rateDropped());
    }

    @Test
    void tokenBucketPassesTrafficUnderTheRateUndelayed()
    {
        final Impairment impairment = impairment(new ImpairmentConfig().rateBitsPerSecond(100_000_000));
        final byte[] data = new byte[1_000];
        for (int i = 0; i < 10_000; i++)
        {
            final long nowNs = i * GAP_NS; // 80 Mbit/s offered
            assertEquals(1, impairment.onDatagram(nowNs, data, 0, data.length));
            assertEquals(nowNs, impairment.releaseNs(0));
        }
        assertEquals(0, impairment.stats().rateDropped());
    }

    @Test
    void sameSeedGivesTheSameDecisionsAndAnotherSeedDoesNot()
    {
        final long[] first = decisions(SEED);
        assertArrayEquals(first, decisions(SEED));
        assertNotEquals(Arrays.hashCode(first), Arrays.hashCode(decisions(SEED + 1)));
    }

    @Test
    void badProbabilitiesAndNegativeTimesAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new ImpairmentConfig().lossProbability(1.5));
        assertThrows(IllegalArgumentException.class, () -> new ImpairmentConfig().duplicateProbability(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new ImpairmentConfig().corruptProbability(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ImpairmentConfig().delayNs(-1));
    }

    private static long[] decisions(final long seed)
    {
        final Impairment impairment = new Impairment(new ImpairmentConfig().lossProbability(0.1)
            .duplicateProbability(0.1).reorderProbability(0.1).corruptProbability(0.1).delayNs(1_000_000)
            .jitterNs(500_000).rateBitsPerSecond(50_000_000), new SplittableRandom(seed), new ImpairStats("test"));
        final byte[] data = new byte[200];
        final long[] result = new long[3 * 1_000];
        for (int i = 0; i < 1_000; i++)
        {
            final int copies = impairment.onDatagram(i * GAP_NS, data, 0, data.length);
            result[3 * i] = copies;
            result[3 * i + 1] = copies > 0 ? impairment.releaseNs(0) : 0;
            result[3 * i + 2] = impairment.corruptedIndex();
        }
        return result;
    }

    private static Impairment impairment(final ImpairmentConfig config)
    {
        return new Impairment(config, new SplittableRandom(SEED), new ImpairStats("test"));
    }

    private static void assertWithinFiveSigma(final int trials, final double probability, final long observed)
    {
        final double mean = trials * probability;
        final double sigma = Math.sqrt(trials * probability * (1 - probability));
        assertTrue(Math.abs(observed - mean) <= 5 * sigma,
            "observed " + observed + ", expected " + mean + " +/- " + 5 * sigma);
    }

    /** What the relay does with decisions, on virtual time: a release queue plus at most one held datagram. */
    private static final class ReleaseModel
    {
        private final ReleaseQueue queue = new ReleaseQueue(DATAGRAMS);
        private final List<Integer> released = new ArrayList<>();
        private final List<Integer> heldIds = new ArrayList<>();
        private int held = -1;

        void onDecision(final Impairment impairment, final int id)
        {
            queue.add(id, impairment.releaseNs(0));
            if (impairment.previousHeldReleaseNs() != Impairment.NONE && held >= 0)
            {
                queue.reschedule(held, impairment.previousHeldReleaseNs());
                held = -1;
            }
            if (impairment.heldCopy() == 0)
            {
                held = id;
                heldIds.add(id);
            }
        }

        void releaseDue(final long nowNs)
        {
            while (queue.peek() >= 0 && queue.releaseNs(queue.peek()) - nowNs <= 0)
            {
                final int id = queue.poll();
                held = held == id ? -1 : held;
                released.add(id);
            }
        }
    }
}
