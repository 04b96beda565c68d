package io.conduit.transport.congestion;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertTrue;

class NewRenoPropertyTest
{
    private static final long NOW_NS = 0;

    enum Kind
    {
        SENT, ACKED, LOSS_DETECTED, RECOVERY_COMPLETE, TIMEOUT, SPURIOUS
    }

    /** One engine event; amountPermille scales the current window into acked bytes or FlightSize. */
    record Event(Kind kind, int amountPermille)
    {
    }

    @Provide
    Arbitrary<List<Event>> events()
    {
        return eventsOf(Arbitraries.of(Kind.class));
    }

    @Provide
    Arbitrary<List<Event>> eventsWithoutTimeouts()
    {
        return eventsOf(Arbitraries.of(Kind.class).filter(kind -> kind != Kind.TIMEOUT));
    }

    private static Arbitrary<List<Event>> eventsOf(final Arbitrary<Kind> kinds)
    {
        // Up to 4x the window so stretch ACKs and FlightSize above cwnd (after an undo, say) are covered.
        final Arbitrary<Event> event = Combinators.combine(kinds, Arbitraries.integers().between(0, 4000))
            .as(Event::new);
        return event.list().ofMaxSize(300);
    }

    @Property(tries = 500)
    void windowStaysWithinOneSegmentAndTheMaximum(
        @ForAll("events") final List<Event> events,
        @ForAll @IntRange(min = 1, max = 9000) final int smss,
        @ForAll @IntRange(min = 2, max = 6) final int minimumSegments,
        @ForAll @IntRange(min = 0, max = 20) final int extraInitialSegments,
        @ForAll @IntRange(min = 0, max = 12) final int extraMaximumSegments)
    {
        // RFC 5681 §3.1: cwnd never below the 1*SMSS loss window, ssthresh never below 2*SMSS (eq. 4),
        // and neither above the configured maximum, for any event order the engine contract allows.
        final CongestionConfig cfg = config(smss, minimumSegments, extraInitialSegments, extraMaximumSegments);
        final NewReno cc = new NewReno(smss, cfg);
        final long maximumBytes = cfg.maximumWindowBytes();

        replay(cc, events, smss, (kind) ->
        {
            assertTrue(cc.windowBytes() >= smss && cc.windowBytes() <= maximumBytes, () -> kind + " " + cc);
            assertTrue(cc.slowStartThresholdBytes() >= 2L * smss, () -> kind + " " + cc);
            assertTrue(cc.slowStartThresholdBytes() <= maximumBytes, () -> kind + " " + cc);
        });
    }

    @Property(tries = 500)
    void withoutTimeoutsTheWindowNeverDropsBelowTheMinimum(
        @ForAll("eventsWithoutTimeouts") final List<Event> events,
        @ForAll @IntRange(min = 1, max = 9000) final int smss,
        @ForAll @IntRange(min = 2, max = 6) final int minimumSegments,
        @ForAll @IntRange(min = 0, max = 20) final int extraInitialSegments,
        @ForAll @IntRange(min = 0, max = 12) final int extraMaximumSegments)
    {
        // Only the loss window after a timeout may go below minimumWindowSegments*SMSS.
        final CongestionConfig cfg = config(smss, minimumSegments, extraInitialSegments, extraMaximumSegments);
        final NewReno cc = new NewReno(smss, cfg);
        final long minimumBytes = (long)minimumSegments * smss;

        replay(cc, events, smss, (kind) ->
            assertTrue(cc.windowBytes() >= minimumBytes && cc.slowStartThresholdBytes() >= minimumBytes,
                () -> kind + " " + cc));
    }

    private static CongestionConfig config(
        final int smss, final int minimumSegments, final int extraInitialSegments, final int extraMaximumSegments)
    {
        final int initialSegments = minimumSegments + extraInitialSegments;
        // The extra bytes make the maximum a non-multiple of SMSS in most runs.
        return new CongestionConfig()
            .minimumWindowSegments(minimumSegments)
            .initialWindowSegments(initialSegments)
            .maximumWindowBytes((long)(initialSegments + extraMaximumSegments) * smss + extraMaximumSegments);
    }

    private interface Check
    {
        void after(Kind kind);
    }

    private static void replay(final NewReno cc, final List<Event> events, final int smss, final Check check)
    {
        // Mirrors the engine's side of the contract: no ACKs and no second loss signal inside a recovery episode.
        boolean inRecovery = false;
        for (final Event event : events)
        {
            final long amountBytes = cc.windowBytes() * event.amountPermille() / 1000;
            Kind kind = event.kind();
            if (inRecovery && (kind == Kind.ACKED || kind == Kind.LOSS_DETECTED))
            {
                kind = Kind.RECOVERY_COMPLETE;
            }

            switch (kind)
            {
                case SENT -> cc.onPacketSent(NOW_NS, smss, amountBytes);
                case ACKED -> cc.onAcked(NOW_NS, amountBytes, 0, 0);
                case LOSS_DETECTED ->
                {
                    cc.onLossDetected(NOW_NS, amountBytes);
                    inRecovery = true;
                }
                case RECOVERY_COMPLETE ->
                {
                    cc.onRecoveryComplete(NOW_NS);
                    inRecovery = false;
                }
                case TIMEOUT ->
                {
                    cc.onRetransmissionTimeout(NOW_NS, amountBytes);
                    inRecovery = false;
                }
                case SPURIOUS -> cc.onSpuriousCongestionEvent(NOW_NS);
                default -> throw new IllegalStateException("unknown event " + kind);
            }
            check.after(kind);
        }
    }
}
