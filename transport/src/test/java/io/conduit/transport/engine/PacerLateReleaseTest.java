package io.conduit.transport.engine;

import java.util.ArrayDeque;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionControlKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender whose thread falls behind its own pacing rate (the engine polled late while data waited and the window
 * was open) has its rate samples marked application-limited and counts a late release; one polled on time does
 * not. Virtual time, a 20 ms one-way path built by hand on {@link EnginePairHarness}.
 */
class PacerLateReleaseTest
{
    private static final long ONE_WAY_NS = 20_000_000L;
    private static final long STEP_NS = 100_000L;

    private final EnginePairHarness pair = new EnginePairHarness(config());
    private final ArrayDeque<Flight> toServer = new ArrayDeque<>();
    private final ArrayDeque<Flight> toClient = new ArrayDeque<>();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64 * 1024]);

    private record Flight(long arriveNs, List<byte[]> datagrams)
    {
    }

    private static EndpointConfig config()
    {
        final EndpointConfig config = new EndpointConfig();
        config.connection().congestionControl(CongestionControlKind.BBR).sendWindowSegments(4096)
            .receiveWindowSegments(4096);
        return config;
    }

    @Test
    void aSenderPolledOnTimeNeverReleasesLate()
    {
        run(210_000_000L);
        assertTrue(pair.clientConnection.counters().segmentsSent() > 100, pair.clientConnection.toString());
        assertEquals(0, pair.clientConnection.counters().lateReleases());
    }

    @Test
    void aSenderThatLostItsCoreWhileDataWaitedCountsALateRelease()
    {
        run(150_000_000L);
        assertEquals(0, pair.clientConnection.counters().lateReleases());
        // Twenty times the thread stalls for 10 ms, far beyond the pacer's ~1 ms of credit; whenever the pacer,
        // not the window, was holding data at that moment, the release is late.
        for (int stall = 0; stall < 20; stall++)
        {
            run(3_000_000L);
            pair.nowNs += 10_000_000L;
            step();
        }
        assertTrue(pair.clientConnection.counters().lateReleases() >= 1, pair.clientConnection.toString());
    }

    private void run(final long durationNs)
    {
        final long endNs = pair.nowNs + durationNs;
        while (pair.nowNs - endNs < 0)
        {
            step();
        }
    }

    /** One 100 us tick: the sender keeps its queue full, both ends transmit, datagrams arrive 20 ms later. */
    private void step()
    {
        pair.nowNs += STEP_NS;
        while (pair.clientConnection.queuedBytes() < 256 * 1024 &&
            pair.clientConnection.offer(message, 0, message.capacity()) >= 0)
        {
            // keep the sender application-unlimited
        }
        pair.client.onTimer(pair.nowNs);
        pair.server.onTimer(pair.nowNs);
        toServer.add(new Flight(pair.nowNs + ONE_WAY_NS, pair.drain(pair.client)));
        toClient.add(new Flight(pair.nowNs + ONE_WAY_NS, pair.drain(pair.server)));
        while (!toServer.isEmpty() && toServer.peek().arriveNs() - pair.nowNs <= 0)
        {
            pair.deliverToServer(toServer.poll().datagrams());
        }
        while (!toClient.isEmpty() && toClient.peek().arriveNs() - pair.nowNs <= 0)
        {
            pair.deliverToClient(toClient.poll().datagrams());
        }
        pair.serverConnection.pollMessages((buffer, offset, length) -> true, Integer.MAX_VALUE);
    }
}
