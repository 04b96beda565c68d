package io.conduit.transport.engine;

/**
 * Datagram Packetization Layer Path MTU Discovery (DPLPMTUD, RFC 8899 §5) for one connection, as a pure state
 * machine: it never sends anything itself. The connection asks {@link #probeSize} whether a probe is wanted, reports
 * {@link #onProbeSent}, {@link #onProbeAcknowledged}, {@link #onTimer} and {@link #onBlackHoleSuspected}, and sizes new
 * segments by {@link #plpmtu()}. Sizes are UDP payload bytes (a whole Conduit datagram), never IP packet sizes.
 *
 * <h2>States (RFC 8899 §5.2)</h2>
 * DISABLED (the configured maximum is at or below the base size: nothing to discover) &rarr; BASE (confirm that
 * {@link #BASE_PLPMTU} gets through) &rarr; SEARCHING (probe the next step of {@link #LADDER}) &rarr;
 * SEARCH_COMPLETE (a step failed {@link #MAX_PROBES} times or the maximum was reached; after the
 * PMTU_RAISE_TIMER it searches again, §5.1.1). A suspected black hole (full-size segments keep being lost, §4.3)
 * drops back to BASE; if even the base probe fails MAX_PROBES times the state is ERROR, which keeps the base size
 * (MIN_PLPMTU = BASE_PLPMTU here) and retries after the raise timer.
 *
 * <p>The search walks a fixed ladder of common link sizes rather than bisecting: each step is a real MTU somewhere
 * (IPv6 minimum, Ethernet, jumbo frames, loopback), so a path rarely wastes more than the gap to the next step.
 */
public final class PathMtuSearch
{
    public static final int DISABLED = 0;
    public static final int BASE = 1;
    public static final int SEARCHING = 2;
    public static final int SEARCH_COMPLETE = 3;
    public static final int ERROR = 4;

    /** RFC 8899 §5.1.2: 1200 bytes of UDP payload crosses practically every path (QUIC's minimum too). */
    public static final int BASE_PLPMTU = 1200;
    /** RFC 8899 §5.1.2: consecutive unacknowledged probes of one size before giving up on it. */
    public static final int MAX_PROBES = 3;
    /**
     * UDP payload sizes tried in order: base, Ethernet 1500 and 4096 minus IPv4 + UDP headers (28 bytes), a 9000-byte
     * jumbo frame, 16 KiB and 32 KiB links, and the IPv4 UDP maximum that a 64 KiB loopback MTU carries.
     */
    static final int[] LADDER = {BASE_PLPMTU, 1472, 4068, 8972, 16356, 32740, 65507};
    /** Probes a lossless path of 65,507 bytes or more needs: one per ladder step. */
    public static final int LADDER_STEPS = LADDER.length;

    private final long raiseIntervalNs;
    private int maxPlpmtu;
    private int state = DISABLED;
    private int plpmtu;
    private int probedSize;
    private int probeCount;
    private boolean probeOutstanding;
    private int nextProbeId = 1;
    /** Probes of the current size carry ids in [firstProbeIdOfSize, nextProbeId); any of them confirms it. */
    private int firstProbeIdOfSize = 1;
    private long probeDeadlineNs = TimerKind.NONE;
    private long raiseDeadlineNs = TimerKind.NONE;
    private int transitions;

    /**
     * @param maxPlpmtu       the largest datagram the connection will ever send (MAX_PLPMTU, RFC 8899 §5.1.2).
     * @param raiseIntervalNs the PMTU_RAISE_TIMER: how long SEARCH_COMPLETE and ERROR wait before probing again.
     */
    public PathMtuSearch(final int maxPlpmtu, final long raiseIntervalNs)
    {
        if (maxPlpmtu < 1 || raiseIntervalNs <= 0)
        {
            throw new IllegalArgumentException("maxPlpmtu must be >= 1 and raiseIntervalNs > 0");
        }
        this.maxPlpmtu = maxPlpmtu;
        this.raiseIntervalNs = raiseIntervalNs;
        this.plpmtu = Math.min(maxPlpmtu, BASE_PLPMTU);
    }

    /** Leaves DISABLED once the connection may send probes; stays DISABLED when there is nothing above the base. */
    public void start(final long nowNs)
    {
        if (state == DISABLED && maxPlpmtu > BASE_PLPMTU)
        {
            enterBase(nowNs);
        }
    }

    /**
     * Lowers MAX_PLPMTU, e.g. to the first hop's interface MTU, which the I/O edge knows and the engine does not.
     * A confirmed size above the new cap is dropped to it at once; nothing is ever raised here.
     */
    public void capMaxPlpmtu(final int maxDatagramBytes)
    {
        if (maxDatagramBytes < 1 || maxDatagramBytes >= maxPlpmtu)
        {
            return;
        }
        maxPlpmtu = maxDatagramBytes;
        plpmtu = Math.min(plpmtu, maxPlpmtu);
        if (maxPlpmtu <= BASE_PLPMTU)
        {
            state(DISABLED);
            probeOutstanding = false;
            probeDeadlineNs = TimerKind.NONE;
            raiseDeadlineNs = TimerKind.NONE;
        }
        else if (probeOutstanding && probedSize > maxPlpmtu)
        {
            probeOutstanding = false;
            probeDeadlineNs = TimerKind.NONE;
        }
    }

    public int state()
    {
        return state;
    }

    /** The confirmed packetization layer PMTU: the largest datagram new segments may use. */
    public int plpmtu()
    {
        return plpmtu;
    }

    public int maxPlpmtu()
    {
        return maxPlpmtu;
    }

    /** State changes so far, for counters and tests. */
    public int transitions()
    {
        return transitions;
    }

    /**
     * The size of the probe to send now, or 0 when none is wanted: at most one probe is outstanding, so probes are
     * paced by acknowledgements and the probe timer (RFC 8899 §5.1.3).
     */
    public int probeSize()
    {
        if (probeOutstanding || (state != BASE && state != SEARCHING))
        {
            return 0;
        }
        return state == BASE ? Math.min(BASE_PLPMTU, maxPlpmtu) : nextStepAbove(plpmtu);
    }

    /** Records that a probe of {@link #probeSize()} bytes left; returns its id, which the peer echoes. */
    public int onProbeSent(final long nowNs, final int size, final long probeTimeoutNs)
    {
        if (size != probeSize() || size == 0)
        {
            throw new IllegalStateException("probe of " + size + " bytes not wanted now (" + probeSize() + ")");
        }
        if (size != probedSize)
        {
            probedSize = size;
            probeCount = 0;
            firstProbeIdOfSize = nextProbeId;
        }
        probeOutstanding = true;
        probeDeadlineNs = nowNs + probeTimeoutNs;
        final int id = nextProbeId;
        nextProbeId = nextProbeId == Integer.MAX_VALUE ? 1 : nextProbeId + 1;
        return id;
    }

    /** The peer echoed probe {@code id}: every probe of the size being searched confirms it (RFC 8899 §4.1). */
    public void onProbeAcknowledged(final long nowNs, final int id)
    {
        if (probedSize == 0 || id - firstProbeIdOfSize < 0 || id - nextProbeId >= 0 ||
            (state != BASE && state != SEARCHING))
        {
            return;
        }
        probeOutstanding = false;
        probeDeadlineNs = TimerKind.NONE;
        probeCount = 0;
        plpmtu = Math.max(plpmtu, probedSize);
        final int confirmed = probedSize;
        probedSize = 0;
        if (confirmed >= maxPlpmtu || nextStepAbove(confirmed) == 0)
        {
            complete(nowNs);
        }
        else
        {
            state(SEARCHING);
        }
    }

    /**
     * RFC 8899 §4.3: full-size packets keep being lost while smaller ones may get through (the caller's evidence is
     * repeated retransmission timeouts). Fall back to the base size and confirm it before searching again.
     */
    public void onBlackHoleSuspected(final long nowNs)
    {
        if ((state == SEARCHING || state == SEARCH_COMPLETE) && plpmtu > BASE_PLPMTU)
        {
            enterBase(nowNs);
        }
    }

    /** The earliest of the probe timer and the raise timer, or {@link TimerKind#NONE}. */
    public long deadlineNs()
    {
        return probeDeadlineNs - raiseDeadlineNs < 0 ? probeDeadlineNs : raiseDeadlineNs;
    }

    public void onTimer(final long nowNs)
    {
        if (probeDeadlineNs != TimerKind.NONE && probeDeadlineNs - nowNs <= 0)
        {
            onProbeTimeout(nowNs);
        }
        if (raiseDeadlineNs != TimerKind.NONE && raiseDeadlineNs - nowNs <= 0)
        {
            raiseDeadlineNs = TimerKind.NONE;
            // RFC 8899 §5.1.1 PMTU_RAISE_TIMER: the path may have grown; ERROR retries the base size first.
            if (state == SEARCH_COMPLETE && nextStepAbove(plpmtu) != 0)
            {
                state(SEARCHING);
            }
            else if (state == ERROR)
            {
                enterBase(nowNs);
            }
        }
    }

    private void onProbeTimeout(final long nowNs)
    {
        probeOutstanding = false;
        probeDeadlineNs = TimerKind.NONE;
        if (++probeCount < MAX_PROBES)
        {
            return;
        }
        probedSize = 0;
        probeCount = 0;
        if (state == BASE)
        {
            // RFC 8899 §5.2: the base size itself is not confirmed; keep sending at it, but as an error.
            state(ERROR);
            raiseDeadlineNs = nowNs + raiseIntervalNs;
        }
        else if (state == SEARCHING)
        {
            complete(nowNs);
        }
    }

    private void enterBase(final long nowNs)
    {
        plpmtu = Math.min(BASE_PLPMTU, maxPlpmtu);
        probeOutstanding = false;
        probeDeadlineNs = TimerKind.NONE;
        raiseDeadlineNs = TimerKind.NONE;
        probedSize = 0;
        probeCount = 0;
        state(BASE);
    }

    private void complete(final long nowNs)
    {
        state(SEARCH_COMPLETE);
        raiseDeadlineNs = nextStepAbove(plpmtu) == 0 ? TimerKind.NONE : nowNs + raiseIntervalNs;
    }

    /** The smallest ladder step above {@code size}, capped at MAX_PLPMTU; 0 when {@code size} is already the cap. */
    private int nextStepAbove(final int size)
    {
        if (size >= maxPlpmtu)
        {
            return 0;
        }
        for (final int step : LADDER)
        {
            if (step > size)
            {
                return Math.min(step, maxPlpmtu);
            }
        }
        return maxPlpmtu;
    }

    /** The single transition funnel: counts, and throws on a move RFC 8899 §5.2 does not have. */
    private void state(final int next)
    {
        if (next == state)
        {
            return;
        }
        if (!canMove(state, next))
        {
            throw new IllegalStateException("illegal PLPMTUD transition " + name(state) + " -> " + name(next));
        }
        transitions++;
        state = next;
    }

    private static boolean canMove(final int from, final int to)
    {
        switch (to)
        {
            case DISABLED: return true;
            case BASE: return from != BASE;
            case SEARCHING: return from == BASE || from == SEARCH_COMPLETE;
            case SEARCH_COMPLETE: return from == BASE || from == SEARCHING;
            case ERROR: return from == BASE;
            default: return false;
        }
    }

    public static String name(final int state)
    {
        switch (state)
        {
            case DISABLED: return "DISABLED";
            case BASE: return "BASE";
            case SEARCHING: return "SEARCHING";
            case SEARCH_COMPLETE: return "SEARCH_COMPLETE";
            case ERROR: return "ERROR";
            default: return "UNKNOWN(" + state + ")";
        }
    }
}
