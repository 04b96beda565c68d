package io.conduit.transport.engine;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static io.conduit.transport.engine.PathMtuSearch.BASE;
import static io.conduit.transport.engine.PathMtuSearch.BASE_PLPMTU;
import static io.conduit.transport.engine.PathMtuSearch.DISABLED;
import static io.conduit.transport.engine.PathMtuSearch.ERROR;
import static io.conduit.transport.engine.PathMtuSearch.MAX_PROBES;
import static io.conduit.transport.engine.PathMtuSearch.SEARCHING;
import static io.conduit.transport.engine.PathMtuSearch.SEARCH_COMPLETE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RFC 8899 §5 state machine on virtual time, against a path that carries datagrams up to a given size. */
class PathMtuSearchTest
{
    private static final long PROBE_TIMEOUT_NS = 100_000_000L;
    private static final long RAISE_NS = 600_000_000_000L;
    private static final long RTT_NS = 1_000_000L;

    private long nowNs = 1_000;

    /** Drives probes until no probe is wanted and no probe timer is pending; returns probes sent. */
    private int runAgainstPath(final PathMtuSearch search, final int pathMtu)
    {
        int probes = 0;
        while (true)
        {
            final int size = search.probeSize();
            if (size > 0)
            {
                final int id = search.onProbeSent(nowNs, size, PROBE_TIMEOUT_NS);
                probes++;
                if (size <= pathMtu)
                {
                    nowNs += RTT_NS;
                    search.onProbeAcknowledged(nowNs, id);
                }
                continue;
            }
            final long deadline = search.deadlineNs();
            if (search.state() == SEARCH_COMPLETE || search.state() == ERROR || deadline == TimerKind.NONE)
            {
                return probes;
            }
            nowNs = deadline;
            search.onTimer(nowNs);
        }
    }

    @Test
    void loopbackConvergesToTheUdpMaximumOneStepPerRoundTrip()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        assertEquals(BASE, search.state());
        assertEquals(BASE_PLPMTU, search.plpmtu(), "RFC 8899 §5.1.2: send at the base size until a probe confirms more");
        final int probes = runAgainstPath(search, 65_507);
        assertEquals(SEARCH_COMPLETE, search.state());
        assertEquals(65_507, search.plpmtu());
        assertEquals(PathMtuSearch.LADDER.length, probes, "one probe per ladder step, none lost");
        assertEquals(TimerKind.NONE, search.deadlineNs(), "nothing above the maximum: no raise timer");
    }

    @Test
    void ethernetPathSettlesOnThe1472StepAfterMaxProbesFailures()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        final long startNs = nowNs;
        final int probes = runAgainstPath(search, 1_500);
        assertEquals(SEARCH_COMPLETE, search.state());
        assertEquals(1_472, search.plpmtu());
        assertEquals(2 + MAX_PROBES, probes, "base, 1472, then MAX_PROBES lost probes of the next step");
        assertTrue(nowNs - startNs >= MAX_PROBES * PROBE_TIMEOUT_NS, "each failure waited for the probe timer");
        assertEquals(nowNs + RAISE_NS, search.deadlineNs(), "RFC 8899 §5.1.1: PMTU_RAISE_TIMER armed");
    }

    @Test
    void theRaiseTimerSearchesAgainAndFindsAPathThatGrew()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        runAgainstPath(search, 1_500);
        nowNs = search.deadlineNs();
        search.onTimer(nowNs);
        assertEquals(SEARCHING, search.state());
        runAgainstPath(search, 9_000);
        assertEquals(8_972, search.plpmtu());
    }

    @Test
    void probesNeverExceedTheConfiguredOrFirstHopMaximum()
    {
        final PathMtuSearch search = new PathMtuSearch(10_000, RAISE_NS);
        search.capMaxPlpmtu(5_000);
        search.start(nowNs);
        int largest = 0;
        while (search.probeSize() > 0)
        {
            final int size = search.probeSize();
            largest = Math.max(largest, size);
            search.onProbeAcknowledged(nowNs, search.onProbeSent(nowNs, size, PROBE_TIMEOUT_NS));
        }
        assertEquals(5_000, largest);
        assertEquals(5_000, search.plpmtu());
        assertEquals(SEARCH_COMPLETE, search.state());
    }

    @Test
    void aCapBelowTheConfirmedSizeLowersItAtOnce()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        runAgainstPath(search, 65_507);
        search.capMaxPlpmtu(1_400);
        assertEquals(1_400, search.plpmtu());
        search.capMaxPlpmtu(1_000);
        assertEquals(DISABLED, search.state(), "nothing left to discover above the cap");
        assertEquals(1_000, search.plpmtu());
    }

    @Test
    void aMaximumAtOrBelowTheBaseStaysDisabled()
    {
        final PathMtuSearch search = new PathMtuSearch(1_100, RAISE_NS);
        search.start(nowNs);
        assertEquals(DISABLED, search.state());
        assertEquals(1_100, search.plpmtu());
        assertEquals(0, search.probeSize());
    }

    @Test
    void blackHoleFallsBackToTheBaseAndSearchesAgain()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        runAgainstPath(search, 65_507);
        search.onBlackHoleSuspected(nowNs);
        assertEquals(BASE, search.state(), "RFC 8899 §4.3");
        assertEquals(BASE_PLPMTU, search.plpmtu());
        runAgainstPath(search, 1_500);
        assertEquals(1_472, search.plpmtu(), "the shrunken path is rediscovered");
    }

    @Test
    void unconfirmedBaseIsAnErrorThatRetriesAfterTheRaiseTimer()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        final int probes = runAgainstPath(search, 1_000);
        assertEquals(MAX_PROBES, probes);
        assertEquals(ERROR, search.state());
        assertEquals(BASE_PLPMTU, search.plpmtu(), "MIN_PLPMTU is the base size here");
        nowNs = search.deadlineNs();
        search.onTimer(nowNs);
        assertEquals(BASE, search.state());
        runAgainstPath(search, 1_500);
        assertEquals(1_472, search.plpmtu());
    }

    @Test
    void aLateAcknowledgementOfAnEarlierProbeOfTheSameSizeStillConfirmsIt()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        final int first = search.onProbeSent(nowNs, search.probeSize(), PROBE_TIMEOUT_NS);
        nowNs += PROBE_TIMEOUT_NS;
        search.onTimer(nowNs);
        search.onProbeSent(nowNs, search.probeSize(), PROBE_TIMEOUT_NS);
        search.onProbeAcknowledged(nowNs + 1, first);
        assertEquals(SEARCHING, search.state());
        assertEquals(BASE_PLPMTU, search.plpmtu());
        assertEquals(1_472, search.probeSize());
    }

    @Test
    void unknownOrStaleProbeIdsAreIgnored()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        final int base = search.onProbeSent(nowNs, search.probeSize(), PROBE_TIMEOUT_NS);
        search.onProbeAcknowledged(nowNs, base);
        search.onProbeSent(nowNs, search.probeSize(), PROBE_TIMEOUT_NS);
        search.onProbeAcknowledged(nowNs, base);
        search.onProbeAcknowledged(nowNs, base + 7);
        assertEquals(BASE_PLPMTU, search.plpmtu(), "the base probe's id says nothing about 1472");
        assertEquals(0, search.probeSize(), "the 1472 probe is still outstanding");
    }

    @Test
    void onlyTheWantedProbeMayBeSent()
    {
        final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
        search.start(nowNs);
        assertThrows(IllegalStateException.class, () -> search.onProbeSent(nowNs, 1_472, PROBE_TIMEOUT_NS));
        search.onProbeSent(nowNs, BASE_PLPMTU, PROBE_TIMEOUT_NS);
        assertThrows(IllegalStateException.class, () -> search.onProbeSent(nowNs, BASE_PLPMTU, PROBE_TIMEOUT_NS));
    }

    @Test
    void randomLossyPathsAlwaysSettleOnTheLargestLadderStepThatFitsOrBelowIt()
    {
        for (long seed = 1; seed <= 500; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final int pathMtu = 1_200 + random.nextInt(65_507 - 1_200 + 1);
            final double loss = random.nextDouble() * 0.3;
            final PathMtuSearch search = new PathMtuSearch(65_507, RAISE_NS);
            search.start(nowNs);
            int guard = 0;
            while (search.state() != SEARCH_COMPLETE && search.state() != ERROR && guard++ < 1_000)
            {
                final int size = search.probeSize();
                if (size > 0)
                {
                    final int id = search.onProbeSent(nowNs, size, PROBE_TIMEOUT_NS);
                    if (size <= pathMtu && random.nextDouble() >= loss)
                    {
                        search.onProbeAcknowledged(nowNs + RTT_NS, id);
                    }
                    continue;
                }
                nowNs = search.deadlineNs();
                search.onTimer(nowNs);
            }
            assertTrue(search.plpmtu() <= pathMtu, "seed " + seed + ": never above the path");
            assertTrue(search.plpmtu() >= BASE_PLPMTU, "seed " + seed);
        }
    }
}
