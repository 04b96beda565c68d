package io.conduit.failure;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MembershipViewTest
{
    private static final long TIMEOUT_NS = 1_000;

    private final MembershipView view = new MembershipView(new int[] {2, 3}, 0.5);
    private final FixedTimeoutDetector detector =
        new FixedTimeoutDetector(new FixedTimeoutConfig().timeoutNs(TIMEOUT_NS));
    private final List<String> changes = new ArrayList<>();

    MembershipViewTest()
    {
        view.addListener((member, from, to, nowNs) -> changes.add(member + ":" + from + "->" + to + "@" + nowNs));
    }

    @Test
    void aliveThenSuspectAtHalfTheThresholdThenDeadThenAliveOnReturn()
    {
        detector.heartbeat(0);
        assertEquals(MemberState.ALIVE, view.evaluate(2, detector, false, false, 499));
        assertEquals(MemberState.SUSPECT, view.evaluate(2, detector, false, false, 500));
        assertEquals(MemberState.SUSPECT, view.evaluate(2, detector, false, false, 999));
        assertEquals(MemberState.DEAD, view.evaluate(2, detector, false, false, 1_000));
        assertEquals(MemberState.DEAD, view.evaluate(2, detector, false, false, 50_000));
        detector.heartbeat(60_000);
        assertEquals(MemberState.ALIVE, view.evaluate(2, detector, false, false, 60_000));
        assertEquals(List.of("2:ALIVE->SUSPECT@500", "2:SUSPECT->DEAD@1000", "2:DEAD->ALIVE@60000"), changes);
        assertEquals(MemberState.ALIVE, view.state(3));
        assertEquals(1, view.transitionsTo(MemberState.DEAD));
        assertEquals(60_000, view.lastChangeNs(2));
    }

    @Test
    void aDownLinkMakesAPeerSuspectButNotDeadUnlessAsked()
    {
        detector.heartbeat(0);
        assertEquals(MemberState.SUSPECT, view.evaluate(2, detector, true, false, 10));
        assertEquals(MemberState.ALIVE, view.evaluate(2, detector, false, false, 20));
        assertEquals(MemberState.DEAD, view.evaluate(2, detector, true, true, 30));
        assertEquals(List.of("2:ALIVE->SUSPECT@10", "2:SUSPECT->ALIVE@20", "2:ALIVE->DEAD@30"), changes);
    }

    @Test
    void countsPeersByState()
    {
        view.state(3, MemberState.DEAD, 5);
        assertEquals(1, view.count(MemberState.ALIVE));
        assertEquals(1, view.count(MemberState.DEAD));
        assertEquals(2, view.size());
        assertEquals(-1, view.indexOf(1));
    }

    @Test
    void rejectsUnknownPeersAndBadConstruction()
    {
        assertThrows(IllegalArgumentException.class, () -> view.state(9));
        assertThrows(IllegalArgumentException.class, () -> new MembershipView(new int[] {2, 2}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new MembershipView(new int[] {0}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new MembershipView(new int[] {2}, 1.5));
    }
}
