package io.conduit.failure;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Five members on a {@link VirtualNetwork}: crashes, restarts, hints and long quiet runs, all on virtual time. */
class FailureFleetTest
{
    private static final long MS = 1_000_000L;
    private static final long SECOND_NS = 1_000 * MS;
    private static final long SEED = 20_240_601L;

    static Stream<Arguments> configs()
    {
        return Stream.of(DetectorKind.values()).flatMap((kind) -> Stream.of(DetectionMode.values())
            .map((mode) -> Arguments.of(kind, mode)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void aCrashedMemberIsDeadEverywhereWithinTheDetectionTimeAndAliveAgainAfterRestart(
        final DetectorKind kind, final DetectionMode mode)
    {
        final FailureDetectorConfig config = new FailureDetectorConfig().detectorKind(kind).mode(mode);
        final VirtualFleet fleet = new VirtualFleet(SEED, 5, config, 0.01, MS, 10 * MS, 0);
        final long[] deadAtNs = new long[6];
        final List<String> victimSaw = new ArrayList<>();
        fleet.addObserver((observer, member, from, to, atNs) ->
        {
            if (member == 3 && to == MemberState.DEAD)
            {
                deadAtNs[observer] = atNs;
            }
            if (observer == 3)
            {
                victimSaw.add(member + ":" + to);
            }
        });
        fleet.runUntil(30 * SECOND_NS + 37 * MS);
        final long crashNs = fleet.nowNs();
        final long[] predictedNs = new long[6];
        for (int observer : new int[] {1, 2, 4, 5})
        {
            final FailureDetector detector = fleet.node(observer).detector(3);
            predictedNs[observer] = detector.suspicionReachedNs(detector.threshold());
        }
        fleet.crash(3);
        fleet.runUntil(crashNs + 3 * SECOND_NS);
        for (int observer : new int[] {1, 2, 4, 5})
        {
            assertEquals(MemberState.DEAD, fleet.node(observer).view().state(3), "observer " + observer);
            // Nothing arrives from a crashed member, so the verdict comes exactly when the detector said it would.
            assertEquals(predictedNs[observer], deadAtNs[observer], "observer " + observer);
            assertTrue(deadAtNs[observer] - crashNs < SECOND_NS, "detected after " +
                (deadAtNs[observer] - crashNs) / MS + " ms by " + observer + " SEED=" + SEED);
        }

        victimSaw.clear();
        fleet.restart(3);
        final long restartNs = fleet.nowNs();
        fleet.runUntil(restartNs + SECOND_NS);
        for (int observer : new int[] {1, 2, 4, 5})
        {
            final MembershipView view = fleet.node(observer).view();
            assertEquals(MemberState.ALIVE, view.state(3), "observer " + observer);
            assertTrue(view.lastChangeNs(3) - restartNs < 200 * MS, "back after " +
                (view.lastChangeNs(3) - restartNs) / MS + " ms");
        }
        assertEquals(List.of(), victimSaw, "the restarted member saw everybody alive from the start");
        assertEquals(4, fleet.node(3).view().count(MemberState.ALIVE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void noFalseDeadInTenVirtualMinutesAtOnePercentLossAndTenMsJitter(
        final DetectorKind kind, final DetectionMode mode)
    {
        // Default settings apart from the detector kind and mode under test.
        final FailureDetectorConfig config = new FailureDetectorConfig().detectorKind(kind).mode(mode);
        final VirtualFleet fleet = new VirtualFleet(SEED, 5, config, 0.01, MS, 10 * MS, 0);
        final List<String> deaths = new ArrayList<>();
        fleet.addObserver((observer, member, from, to, atNs) ->
        {
            if (to == MemberState.DEAD)
            {
                deaths.add(observer + " declared " + member + " dead at " + atNs / MS + " ms");
            }
        });
        fleet.runUntil(600 * SECOND_NS);
        assertEquals(List.of(), deaths, "SEED=" + SEED);
        final FailureDetectorNode node = fleet.node(1);
        final long arrivals = node.counter(FailureCounter.HEARTBEATS_RECEIVED) +
            node.counter(FailureCounter.PONGS_RECEIVED);
        assertTrue(arrivals > 4 * 6_000 * 0.95, "only " + arrivals + " arrivals: the run proves nothing");
    }

    @Test
    void defaultsAreHeartbeatsJudgedByPhiAccrual()
    {
        final FailureDetectorConfig config = new FailureDetectorConfig();
        assertEquals(DetectionMode.HEARTBEAT, config.mode());
        assertEquals(DetectorKind.PHI, config.detectorKind());
        assertEquals(100 * MS, config.intervalNs());
    }

    @Test
    void aLinkDownHintMakesAPeerSuspectUntilItsNextHeartbeat()
    {
        final VirtualFleet fleet = new VirtualFleet(SEED, 5, new FailureDetectorConfig(), 0.0, MS, 0, 0);
        fleet.runUntil(5 * SECOND_NS + 50 * MS);
        fleet.network().injectPeerEvent(1, 2, false);
        fleet.runUntil(fleet.nowNs() + MS);
        assertEquals(MemberState.SUSPECT, fleet.node(1).view().state(2));
        fleet.runUntil(fleet.nowNs() + 100 * MS);
        assertEquals(MemberState.ALIVE, fleet.node(1).view().state(2));
        assertEquals(1, fleet.node(1).counter(FailureCounter.PEER_DOWN_EVENTS));
        assertEquals(0, fleet.node(1).view().transitionsTo(MemberState.DEAD));
    }

    @Test
    void aRunReplaysExactlyFromItsSeed()
    {
        assertEquals(transcript(SEED), transcript(SEED));
    }

    private static List<String> transcript(final long seed)
    {
        final FailureDetectorConfig config = new FailureDetectorConfig().mode(DetectionMode.BOTH)
            .detectorKind(DetectorKind.FIXED);
        final VirtualFleet fleet = new VirtualFleet(seed, 5, config, 0.3, MS, 50 * MS, 0);
        final List<String> changes = new ArrayList<>();
        fleet.addObserver((observer, member, from, to, atNs) -> changes.add(observer + ">" + member + ":" + to + "@" +
            atNs));
        fleet.runUntil(60 * SECOND_NS);
        changes.add("pongs=" + fleet.node(1).counter(FailureCounter.PONGS_RECEIVED));
        assertTrue(changes.size() > 10, "30% loss should cause some suspicion");
        return changes;
    }
}
