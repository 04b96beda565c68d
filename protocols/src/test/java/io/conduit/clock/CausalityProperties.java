package io.conduit.clock;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random message exchanges among 2 to 6 processes, checked against ground truth. Each step is a local event, a send
 * (a message goes in flight carrying the sender's encoded clocks) or a receive (any in-flight message, so delivery
 * order is random). Happened-before is computed independently of the clocks, as the transitive closure of process
 * order and send → receive over event ids (Lamport 1978 §2). Then for every pair of events a, b:
 * <ul>
 * <li>the vector comparison is BEFORE iff a → b, AFTER iff b → a, EQUAL iff a = b, CONCURRENT otherwise
 * (Mattern 1988 §5: e → e' iff V(e) &lt; V(e'));</li>
 * <li>V(e)[q] is exactly the number of events of process q in e's causal past, e included;</li>
 * <li>a → b implies L(a) &lt; L(b) (Lamport 1978, the Clock Condition).</li>
 * </ul>
 */
class CausalityProperties
{
    private static final int LOCAL = 0;
    private static final int SEND = 1;
    private static final int RECEIVE = 2;
    private static final int MESSAGE_CAPACITY = LamportClock.ENCODED_LENGTH + 2 + 6 * ClockCodec.MAX_VARINT_LENGTH;

    /**
     * One step of the run.
     *
     * @param kind    {@link #LOCAL}, {@link #SEND} or {@link #RECEIVE}.
     * @param process who acts, modulo the process count (a receive's process is the message's destination).
     * @param pick    a send's destination offset, or which in-flight message a receive delivers, modulo the choices.
     */
    record Step(int kind, int process, int pick)
    {
    }

    /** One event of the run and what the clocks said about it. */
    record Event(int process, long lamportTime, VectorClock vectorTime, BitSet causalPast)
    {
    }

    /** A message in flight: its send event, destination, and the sender's clocks as encoded on the wire. */
    record Message(int sendEvent, int destination, UnsafeBuffer clocks, int length)
    {
    }

    @Provide
    Arbitrary<List<Step>> steps()
    {
        final Arbitrary<Step> step = Combinators.combine(
            Arbitraries.integers().between(LOCAL, RECEIVE),
            Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, 1_000)).as(Step::new);
        return step.list().ofMinSize(20).ofMaxSize(90);
    }

    @Property(tries = 200)
    void clocksAgreeWithHappenedBefore(
        @ForAll @IntRange(min = 2, max = 6) final int processCount, @ForAll("steps") final List<Step> steps)
    {
        final List<Event> events = run(processCount, steps);

        boolean sawBefore = false;
        boolean sawConcurrent = false;
        for (int a = 0; a < events.size(); a++)
        {
            final Event eventA = events.get(a);
            assertExactCausalPast(a, eventA, events);
            for (int b = 0; b < events.size(); b++)
            {
                final Event eventB = events.get(b);
                final Ordering expected = a == b ? Ordering.EQUAL : eventB.causalPast().get(a) ? Ordering.BEFORE :
                    eventA.causalPast().get(b) ? Ordering.AFTER : Ordering.CONCURRENT;
                final Ordering actual = eventA.vectorTime().compare(eventB.vectorTime());
                final int ia = a;
                final int ib = b;
                assertEquals(expected, actual, () -> "events " + ia + " " + eventA + " and " + ib + " " + eventB);
                if (expected == Ordering.BEFORE)
                {
                    assertTrue(eventA.lamportTime() < eventB.lamportTime(),
                        () -> "Clock Condition: " + ia + " → " + ib + " but L = " + eventA.lamportTime() + ", " +
                        eventB.lamportTime());
                }
                sawBefore |= expected == Ordering.BEFORE && eventA.process() != eventB.process();
                sawConcurrent |= expected == Ordering.CONCURRENT;
            }
        }
        // The generator must produce interesting runs, or the checks above pass vacuously.
        Statistics.label("cross-process order and concurrency").collect(sawBefore && sawConcurrent)
            .coverage((checker) -> checker.check(true).percentage((percent) -> percent > 70));
    }

    private static List<Event> run(final int processCount, final List<Step> steps)
    {
        final LamportClock[] lamport = new LamportClock[processCount];
        final VectorClock[] vector = new VectorClock[processCount];
        final int[] lastEvent = new int[processCount];
        for (int p = 0; p < processCount; p++)
        {
            lamport[p] = new LamportClock();
            vector[p] = new VectorClock(processCount);
            lastEvent[p] = -1;
        }
        final LamportClock remoteLamport = new LamportClock();
        final VectorClock remoteVector = new VectorClock(processCount);
        final List<Event> events = new ArrayList<>();
        final List<Message> inFlight = new ArrayList<>();

        for (final Step step : steps)
        {
            if (step.kind() == RECEIVE && !inFlight.isEmpty())
            {
                final Message message = inFlight.remove(step.pick() % inFlight.size());
                final int p = message.destination();
                final int lamportLength = LamportClock.decode(message.clocks(), 0, message.length(), remoteLamport);
                assertEquals(LamportClock.ENCODED_LENGTH, lamportLength);
                final int vectorLength = VectorClock.decode(
                    message.clocks(), lamportLength, message.length() - lamportLength, remoteVector);
                assertEquals(message.length() - lamportLength, vectorLength, ClockCodec.describe(vectorLength));
                lamport[p].onReceive(remoteLamport.time());
                vector[p].onReceive(p, remoteVector);
                record(events, lastEvent, p, message.sendEvent(), lamport[p], vector[p]);
                continue;
            }
            // A receive with nothing in flight becomes a local event, so every step makes one event.
            final int p = step.process() % processCount;
            lamport[p].tick();
            vector[p].increment(p);
            final int event = record(events, lastEvent, p, -1, lamport[p], vector[p]);
            if (step.kind() == SEND)
            {
                final UnsafeBuffer clocks = new UnsafeBuffer(new byte[MESSAGE_CAPACITY]);
                final int lamportLength = lamport[p].encode(clocks, 0);
                final int length = lamportLength + vector[p].encode(clocks, lamportLength);
                final int destination = (p + 1 + step.pick() % (processCount - 1)) % processCount;
                inFlight.add(new Message(event, destination, clocks, length));
            }
        }
        return events;
    }

    private static int record(
        final List<Event> events,
        final int[] lastEvent,
        final int process,
        final int sendEvent,
        final LamportClock lamport,
        final VectorClock vector)
    {
        final BitSet causalPast = new BitSet();
        addWithPast(causalPast, events, lastEvent[process]);
        addWithPast(causalPast, events, sendEvent);
        final VectorClock snapshot = new VectorClock(vector.processCount());
        snapshot.copyFrom(vector);
        final int event = events.size();
        events.add(new Event(process, lamport.time(), snapshot, causalPast));
        lastEvent[process] = event;
        return event;
    }

    private static void addWithPast(final BitSet causalPast, final List<Event> events, final int event)
    {
        if (event >= 0)
        {
            causalPast.set(event);
            causalPast.or(events.get(event).causalPast());
        }
    }

    private static void assertExactCausalPast(final int id, final Event event, final List<Event> events)
    {
        final long[] expected = new long[event.vectorTime().processCount()];
        expected[event.process()]++;
        for (int e = event.causalPast().nextSetBit(0); e >= 0; e = event.causalPast().nextSetBit(e + 1))
        {
            expected[events.get(e).process()]++;
        }
        assertEquals(VectorClock.of(expected), event.vectorTime(), () -> "event " + id + " counts its causal past");
    }
}
