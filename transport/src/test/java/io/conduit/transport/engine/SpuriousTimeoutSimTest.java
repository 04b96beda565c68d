package io.conduit.transport.engine;

import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.sim.SimNetwork;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eifel (RFC 3522 detection, RFC 4015 response) on virtual time: a delay spike on the ACK path fires the
 * retransmission timer although nothing was lost; the late ACKs echo the original transmissions' timestamps, so the
 * timeout is undone. A real outage must not be mistaken for one.
 */
class SpuriousTimeoutSimTest
{
    private static final long DELAY_NS = MILLISECONDS.toNanos(10);
    private static final long SPIKE_NS = MILLISECONDS.toNanos(400);

    private SimEndpoints sim;
    private Connection client;
    private Connection server;
    private TransferScenario data;

    private void connectAndWarmUp(final CongestionControlKind kind)
    {
        final SimNetwork network = new SimNetwork(5);
        network.defaultLink().delayNs(DELAY_NS);
        final EndpointConfig config = ReliableTransferSimTest.testConfig();
        config.connection().congestionControl(kind);
        sim = new SimEndpoints(network, config, 2);
        sim.endpoint(2).listen(true);
        client = sim.endpoint(1).connect(0, 2);
        while (server == null && sim.nowNs() < SECONDS.toNanos(5))
        {
            sim.step(SECONDS.toNanos(5));
            server = sim.endpoint(2).pollAccepted();
        }
        assertNotNull(server);
        data = new TransferScenario(3, 3_000, 1_400);
        runUntil(() -> data.received() >= 500, SECONDS.toNanos(10));
        assertEquals(0, client.counters().timeouts(), "no timeout before the spike: " + client);
    }

    private void runUntil(final BooleanSupplier done, final long forNs)
    {
        final long untilNs = sim.nowNs() + forNs;
        while (!done.getAsBoolean() && sim.nowNs() < untilNs)
        {
            data.offerAll(client);
            server.pollMessages(data::verify, 1_000);
            sim.flush();
            sim.step(untilNs);
        }
    }

    @Test
    void ackDelaySpikeFiresTheTimerAndTheEchoUndoesItUnderNewReno()
    {
        spikeIsUndone(CongestionControlKind.NEW_RENO);
    }

    @Test
    void ackDelaySpikeFiresTheTimerAndTheEchoUndoesItUnderCubic()
    {
        spikeIsUndone(CongestionControlKind.CUBIC);
    }

    @Test
    void ackDelaySpikeFiresTheTimerAndTheEchoUndoesItUnderBbr()
    {
        spikeIsUndone(CongestionControlKind.BBR);
    }

    private void spikeIsUndone(final CongestionControlKind kind)
    {
        connectAndWarmUp(kind);
        final long windowBefore = client.congestionWindowBytes();
        sim.network().link(2, 1).delayNs(SPIKE_NS);
        runUntil(() -> client.counters().timeouts() > 0, SECONDS.toNanos(1));
        assertTrue(client.counters().timeouts() > 0, "the spike must fire the timer: " + client);
        assertTrue(client.congestionWindowBytes() < windowBefore, "the timeout collapsed the window: " + client);

        runUntil(() -> client.counters().spuriousTimeouts() > 0, SECONDS.toNanos(2));
        assertEquals(1, client.counters().spuriousTimeouts(), client.toString());
        // RFC 4015: the window from before the timeout is back, and the RTO now covers the spike's round trip.
        assertTrue(client.congestionWindowBytes() >= windowBefore, windowBefore + " -> " + client);
        assertTrue(client.rtoNs() > SPIKE_NS, client.toString());

        sim.network().link(2, 1).delayNs(DELAY_NS);
        runUntil(data::allReceived, SECONDS.toNanos(30));
        assertTrue(data.allReceived(), "every message still arrives once, in order: " + client);
    }

    @Test
    void aRealOutageIsNotMistakenForASpuriousTimeout()
    {
        connectAndWarmUp(CongestionControlKind.NEW_RENO);
        sim.network().partition(1, 2);
        runUntil(() -> client.counters().timeouts() > 1, SECONDS.toNanos(2));
        sim.network().heal(1, 2);
        runUntil(data::allReceived, SECONDS.toNanos(30));
        assertTrue(data.allReceived(), client.toString());
        assertTrue(client.counters().timeouts() > 1, client.toString());
        assertEquals(0, client.counters().spuriousTimeouts(), client.toString());
    }
}
