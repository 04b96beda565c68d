package io.conduit.transport.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.sim.SimNetwork;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviours the issue names one by one, each on virtual time over the simulator. */
class ConnectionBehaviourSimTest
{
    private static final long DELAY_NS = MILLISECONDS.toNanos(10);

    private static EndpointConfig config()
    {
        return ReliableTransferSimTest.testConfig();
    }

    private static SimEndpoints pair(final long seed, final EndpointConfig config)
    {
        final SimNetwork network = new SimNetwork(seed);
        network.defaultLink().delayNs(DELAY_NS);
        final SimEndpoints sim = new SimEndpoints(network, config, 2);
        sim.endpoint(2).listen(true);
        return sim;
    }

    private static Connection accept(final SimEndpoints sim, final Connection client)
    {
        Connection server = null;
        final long limit = sim.nowNs() + SECONDS.toNanos(10);
        while (server == null && sim.nowNs() < limit)
        {
            sim.step(limit);
            server = sim.endpoint(2).pollAccepted();
        }
        assertNotNull(server, "not accepted: " + client);
        return server;
    }

    private static void runUntil(final SimEndpoints sim, final long untilNs, final Runnable eachStep)
    {
        while (sim.nowNs() < untilNs)
        {
            eachStep.run();
            sim.flush();
            if (!sim.step(untilNs))
            {
                return;
            }
        }
    }

    @Test
    void retransmissionTimeoutRisesUnderLossAndRecoversAfterwards()
    {
        final SimEndpoints sim = pair(7, config());
        final Connection client = sim.endpoint(1).connect(0, 2);
        final Connection server = accept(sim, client);
        final TransferScenario warmup = new TransferScenario(1, 200, 2_000);
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(5), () ->
        {
            warmup.offerAll(client);
            server.pollMessages(warmup::verify, 100);
        });
        assertTrue(warmup.allReceived());
        final long baselineRtoNs = client.rtoNs();

        // RFC 6298 §5.5: every expiry doubles the RTO while the path is dead.
        sim.network().partition(1, 2);
        final TransferScenario lossy = new TransferScenario(2, 20, 2_000);
        lossy.offerAll(client);
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(3), () -> server.pollMessages(lossy::verify, 100));
        final long backedOffRtoNs = client.rtoNs();
        assertTrue(client.counters().timeouts() >= 3, "timeouts " + client.counters().timeouts());
        assertTrue(backedOffRtoNs >= 4 * baselineRtoNs, "rto " + backedOffRtoNs + " vs baseline " + baselineRtoNs);

        sim.network().heal(1, 2);
        final TransferScenario after = new TransferScenario(3, 200, 2_000);
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(30), () ->
        {
            if (lossy.allReceived())
            {
                server.pollMessages(after::verify, 100);
            }
            else
            {
                server.pollMessages(lossy::verify, 100);
            }
            if (lossy.allReceived())
            {
                after.offerAll(client);
            }
        });
        assertTrue(lossy.allReceived() && after.allReceived(), "transfer resumed after the partition healed");
        assertTrue(client.rtoNs() < 2 * baselineRtoNs, "rto recovered: " + client.rtoNs() + " vs " + baselineRtoNs);
    }

    @Test
    void senderNeverExceedsTheAdvertisedWindowAndProbesAZeroWindow()
    {
        final EndpointConfig config = config();
        config.connection().receiveWindowSegments(16);
        final SimEndpoints sim = pair(11, config);
        final Connection client = sim.endpoint(1).connect(0, 2);
        final Connection server = accept(sim, client);
        final TransferScenario flow = new TransferScenario(4, 400, 3_000);
        final boolean[] reading = {false};
        final long end = sim.nowNs() + SECONDS.toNanos(60);
        while (sim.nowNs() < end && !flow.allReceived())
        {
            flow.offerAll(client);
            if (reading[0])
            {
                server.pollMessages(flow::verify, 1);
            }
            sim.flush();
            // The receiver's right edge never moves left, so the sender's next sequence must stay within it.
            assertTrue(client.sendNext() - (server.receiveNext() + server.receiveWindow()) <= 0,
                "sender beyond window: " + client + " / " + server);
            if (!reading[0] && server.receiveWindow() == 0 && client.counters().probesSent() >= 2)
            {
                reading[0] = true;
            }
            // A slow reader takes one message per millisecond, network events or not: the last messages of a
            // batch wait in one slot and free no window, so no ACK would wake a reader that follows the network.
            sim.step(reading[0] ? Math.min(end, sim.nowNs() + MILLISECONDS.toNanos(1)) : end);
        }
        assertEquals(0, server.counters().outOfWindowSegments(), "segments arrived beyond the advertised window");
        assertTrue(client.counters().probesSent() >= 2, "zero window probed: " + client.counters().probesSent());
        assertTrue(flow.allReceived(), "all delivered once the application read again");
    }

    @Test
    void aPeerThatVanishesIsDeclaredDeadAfterTheKeepaliveTime()
    {
        final EndpointConfig config = config();
        final SimEndpoints sim = pair(13, config);
        final Connection client = sim.endpoint(1).connect(0, 2);
        final Connection server = accept(sim, client);
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(1), () -> { });
        assertEquals(ConnectionState.ESTABLISHED, client.state());
        assertEquals(ConnectionState.ESTABLISHED, server.state());

        final long vanishedAt = sim.nowNs();
        sim.network().isolate(2);
        final long[] closedAt = {-1};
        runUntil(sim, vanishedAt + SECONDS.toNanos(60), () ->
        {
            if (closedAt[0] < 0 && client.state() == ConnectionState.CLOSED)
            {
                closedAt[0] = sim.nowNs();
            }
        });
        assertEquals(CloseReason.PEER_DEAD, client.closeReason());
        final long deadAfterNs = closedAt[0] - vanishedAt;
        final long expectedNs = config.connection().deadPeerTimeoutNs();
        assertTrue(deadAfterNs >= expectedNs - SECONDS.toNanos(1) && deadAfterNs <= expectedNs + DELAY_NS * 4,
            "declared dead after " + deadAfterNs + " ns, configured " + expectedNs);
        assertTrue(client.counters().probesSent() >= config.connection().keepaliveProbes());
    }

    @Test
    void segmentsOfAPreviousIncarnationAreNotAcceptedByTheNextOne()
    {
        final SimEndpoints sim = pair(17, config());
        final UnsafeBuffer captured = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);
        final int[] capturedLength = {0};
        final Connection first = sim.endpoint(1).connect(0, 2);
        final Connection firstServer = accept(sim, first);
        sim.network().link(1, 2).lossProbability(0);
        final TransferScenario old = new TransferScenario(5, 10, 500);
        old.offerAll(first);
        // Capture one DATA datagram of the first incarnation as it is sent.
        final UnsafeBuffer out = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);
        final int length = sim.endpoint(1).pollTransmit(sim.nowNs(), out, 0);
        assertTrue(length > PacketLayout.HEADER_LENGTH);
        captured.putBytes(0, out, 0, length);
        capturedLength[0] = length;
        sim.network().send(1, 2, out, 0, length);
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(2), () -> firstServer.pollMessages(old::verify, 100));
        assertTrue(old.allReceived());
        first.close(sim.nowNs());
        runUntil(sim, sim.nowNs() + SECONDS.toNanos(2), () ->
        {
            firstServer.pollMessages(old::verify, 100);
            if (firstServer.isPeerFinished())
            {
                firstServer.close(sim.nowNs());
            }
        });
        assertEquals(ConnectionState.CLOSED, first.state());

        final Connection second = sim.endpoint(1).connect(sim.nowNs(), 2);
        final Connection secondServer = accept(sim, second);
        runUntil(sim, sim.nowNs() + MILLISECONDS.toNanos(200), () -> { });
        final long deliveredBefore = secondServer.counters().messagesDelivered();
        final long unknownBefore = staleCount(sim.endpoint(2));
        final long acceptedBefore = sim.endpoint(2).counters().connectionsAccepted();

        sim.endpoint(2).onDatagram(sim.nowNs(), 1, captured, 0, capturedLength[0]);
        runUntil(sim, sim.nowNs() + MILLISECONDS.toNanos(200),
            () -> secondServer.pollMessages((b, o, l) -> { throw new AssertionError("old data delivered"); }, 10));

        assertEquals(deliveredBefore, secondServer.counters().messagesDelivered());
        assertEquals(unknownBefore + 1, staleCount(sim.endpoint(2)), "old segment counted as stale");
        assertEquals(acceptedBefore, sim.endpoint(2).counters().connectionsAccepted(), "no connection resurrected");
        assertEquals(ConnectionState.ESTABLISHED, secondServer.state());
    }

    /** Datagrams refused as belonging to no live connection: unknown id, TIME-WAIT, or an expired cookie echo. */
    private static long staleCount(final EndpointEngine endpoint)
    {
        return endpoint.counters().unknownConnection() + endpoint.counters().timeWaitHits() +
            endpoint.counters().cookiesRejected();
    }
}
