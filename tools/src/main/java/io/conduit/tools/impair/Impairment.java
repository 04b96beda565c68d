package io.conduit.tools.impair;

import java.util.random.RandomGenerator;

/**
 * Decides what happens to each datagram of one direction: dropped, corrupted, duplicated, rate limited, delayed,
 * held back to be overtaken. Pure: it is fed {@code nowNs} and a seeded generator and touches no socket or clock,
 * so the same seed and arrival times give the same decisions, and tests run it on virtual time.
 *
 * <p>Contract: call {@link #onDatagram} once per arriving datagram; it may flip one bit of the caller's bytes and
 * returns how many copies to send (0 = dropped). Copy {@code i} goes at {@link #releaseNs(int)}. If {@link
 * #heldCopy()} is {@code i}, that copy is held for reordering: the caller keeps it apart and sends it at its release
 * time, unless a later call returns {@link #previousHeldReleaseNs()} other than {@link #NONE}, which moves it to just
 * after that later datagram (the caller breaks equal release times by arrival order). Decisions are made in the
 * order loss, corruption, duplication, rate, delay and jitter, reordering. At most one datagram is held at a time,
 * and the one that lets it go is never held itself, so with reorder probability p about p / (1 + p) of the datagrams
 * are held. Jitter larger than the gap between datagrams reorders them too, as netem does. Not thread-safe.
 */
public final class Impairment
{
    /** No time: returned by {@link #previousHeldReleaseNs()} when no held datagram has to move. */
    public static final long NONE = Long.MIN_VALUE;

    private static final int MAX_COPIES = 2;
    private static final int BITS_PER_BYTE = 8;

    private final ImpairmentConfig config;
    private final RandomGenerator random;
    private final ImpairStats stats;
    private final long[] releaseNs = new long[MAX_COPIES];
    private int heldCopy = -1;
    private long previousHeldReleaseNs = NONE;
    private int corruptedIndex = -1;
    private int corruptedMask;
    private boolean holding;
    private long holdDeadlineNs;
    private boolean shaping;
    private long theoreticalArrivalNs;

    public Impairment(final ImpairmentConfig config, final RandomGenerator random, final ImpairStats stats)
    {
        this.config = config;
        this.random = random;
        this.stats = stats;
    }

    public ImpairStats stats()
    {
        return stats;
    }

    /**
     * Decides the fate of {@code length} bytes at {@code data[offset]} arriving at {@code nowNs}; corruption flips a
     * bit of them in place.
     *
     * @return copies to send: 0 (lost or rate-dropped), 1, or 2 (duplicated)
     */
    public int onDatagram(final long nowNs, final byte[] data, final int offset, final int length)
    {
        heldCopy = -1;
        previousHeldReleaseNs = NONE;
        corruptedIndex = -1;
        corruptedMask = 0;
        stats.onReceived(length);
        if (holding && holdDeadlineNs - nowNs <= 0)
        {
            holding = false; // its hold ran out, so the caller has sent it already
        }
        if (chance(config.lossProbability()))
        {
            stats.onDropped();
            return 0;
        }
        if (length > 0 && chance(config.corruptProbability()))
        {
            corruptedIndex = random.nextInt(length);
            corruptedMask = 1 << random.nextInt(BITS_PER_BYTE);
            data[offset + corruptedIndex] ^= (byte)corruptedMask;
            stats.onCorrupted();
        }
        int wanted = 1;
        if (chance(config.duplicateProbability()))
        {
            stats.onDuplicated();
            wanted = MAX_COPIES;
        }
        int copies = 0;
        for (int i = 0; i < wanted; i++)
        {
            final long departureNs = config.rateBitsPerSecond() > 0 ? shape(nowNs, length) : nowNs;
            if (departureNs == NONE)
            {
                stats.onRateDropped();
                continue;
            }
            releaseNs[copies++] = departureNs + delayWithJitterNs();
        }
        if (copies > 0)
        {
            // The datagram that lets a held one go is never held itself, or the two would just swap back.
            final boolean releasing = holding;
            releaseHeldAfter(copies);
            if (chance(config.reorderProbability()) && !releasing)
            {
                hold();
            }
        }
        return copies;
    }

    /** When copy {@code copy} of the last datagram is due. */
    public long releaseNs(final int copy)
    {
        return releaseNs[copy];
    }

    /** The copy of the last datagram held back for reordering, or -1. */
    public int heldCopy()
    {
        return heldCopy;
    }

    /** The new release time of the datagram held earlier, now that the last datagram has overtaken it, or NONE. */
    public long previousHeldReleaseNs()
    {
        return previousHeldReleaseNs;
    }

    /** Index (from {@code offset}) of the byte the last call corrupted, or -1. */
    public int corruptedIndex()
    {
        return corruptedIndex;
    }

    /** The bit the last call flipped in that byte, or 0. */
    public int corruptedMask()
    {
        return corruptedMask;
    }

    private void releaseHeldAfter(final int copies)
    {
        if (!holding)
        {
            return;
        }
        long latestNs = releaseNs[0];
        for (int i = 1; i < copies; i++)
        {
            latestNs = latestNs - releaseNs[i] < 0 ? releaseNs[i] : latestNs;
        }
        // Never later than its own deadline: had that come first, the caller would have sent it then.
        previousHeldReleaseNs = holdDeadlineNs - latestNs < 0 ? holdDeadlineNs : latestNs;
        holding = false;
    }

    private void hold()
    {
        stats.onReordered();
        heldCopy = 0;
        releaseNs[0] += config.reorderHoldNs();
        holding = true;
        holdDeadlineNs = releaseNs[0];
    }

    /**
     * Token bucket as a virtual scheduler (GCRA): the theoretical arrival time moves on by each datagram's
     * transmission time, and a datagram may leave once it is no more than one burst ahead of that.
     */
    private long shape(final long nowNs, final int length)
    {
        if (!shaping || theoreticalArrivalNs - nowNs < 0)
        {
            shaping = true;
            theoreticalArrivalNs = nowNs;
        }
        final long arrivalNs = theoreticalArrivalNs + config.transmitNs(length);
        final long earliestNs = arrivalNs - config.transmitNs(config.burstBytes());
        final long departureNs = earliestNs - nowNs > 0 ? earliestNs : nowNs;
        if (departureNs - nowNs > config.transmitNs(config.queueLimitBytes()))
        {
            return NONE;
        }
        theoreticalArrivalNs = arrivalNs;
        return departureNs;
    }

    private long delayWithJitterNs()
    {
        final long jitterNs = config.jitterNs();
        if (jitterNs == 0)
        {
            return config.delayNs();
        }
        return Math.max(0, config.delayNs() + random.nextLong(-jitterNs, jitterNs + 1));
    }

    private boolean chance(final double probability)
    {
        return probability > 0 && (probability >= 1 || random.nextDouble() < probability);
    }
}
