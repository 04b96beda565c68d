package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.sim.SeededRuns;
import io.conduit.transport.sim.SimNetwork;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReliableTransferSimTest}'s hostile link with both endpoints on CUBIC: the controller only sizes the window,
 * so every message must still arrive exactly once, in order and intact, and both sides must close gracefully. Fewer
 * seeds and messages than the NewReno run, since the engine paths are the same. Replay with -Dconduit.seed=N.
 */
class CubicTransferSimTest
{
    private static final int SEEDS = 20;
    private static final int MESSAGES = 400;

    @Test
    void everyMessageArrivesOnceInOrderIntactBothWaysUnderCubic()
    {
        SeededRuns.run(getClass().getSimpleName(), 1, SEEDS, CubicTransferSimTest::transfer);
    }

    private static void transfer(final long seed)
    {
        final SimNetwork network = new SimNetwork(seed);
        ReliableTransferSimTest.hostile(network);
        final EndpointConfig config = ReliableTransferSimTest.testConfig();
        config.connection().congestionControl(CongestionControlKind.CUBIC);
        final SimEndpoints sim = new SimEndpoints(network, config, 2);
        sim.endpoint(2).listen(true);
        final Connection client = sim.endpoint(1).connect(sim.nowNs(), 2);
        final TransferScenario clientToServer =
            new TransferScenario(seed * 2 + 1, MESSAGES, ReliableTransferSimTest.MAX_MESSAGE);
        final TransferScenario serverToClient =
            new TransferScenario(seed * 2 + 2, MESSAGES, ReliableTransferSimTest.MAX_MESSAGE);
        Connection server = null;
        final long limitNs = SECONDS.toNanos(3_600);

        while (sim.nowNs() < limitNs)
        {
            if (server == null)
            {
                server = sim.endpoint(2).pollAccepted();
            }
            drive(sim.nowNs(), client, clientToServer, serverToClient, true);
            if (server != null)
            {
                drive(sim.nowNs(), server, serverToClient, clientToServer, false);
            }
            sim.flush();
            if (client.state() == ConnectionState.CLOSED && server != null &&
                server.state() == ConnectionState.CLOSED && sim.nextEventNs() == Long.MAX_VALUE)
            {
                break;
            }
            if (!sim.step(limitNs) && sim.nextEventNs() == Long.MAX_VALUE)
            {
                break;
            }
        }

        assertTrue(server != null, "no connection accepted");
        assertSame(CongestionControlKind.CUBIC, client.config().congestionControl());
        assertSame(CongestionControlKind.CUBIC, server.config().congestionControl());
        // TransferScenario.verify already failed on any duplicate, gap, reordering or corrupted byte.
        assertEquals(MESSAGES, clientToServer.received(), "client->server; client " + client + " server " + server);
        assertEquals(MESSAGES, serverToClient.received(), "server->client; client " + client + " server " + server);
        assertTrue(client.counters().fastRetransmits() + client.counters().timeouts() > 0,
            "the link lost nothing, so no congestion event was exercised: " + client);
        assertEquals(ConnectionState.CLOSED, client.state(), client.toString());
        assertEquals(ConnectionState.CLOSED, server.state(), server.toString());
        assertEquals(CloseReason.GRACEFUL, client.closeReason(), client.toString());
        assertEquals(CloseReason.GRACEFUL, server.closeReason(), server.toString());
    }

    /** One application turn: offer, receive, and close when this side is done. */
    private static void drive(final long nowNs, final Connection connection, final TransferScenario outbound,
        final TransferScenario inbound, final boolean activeCloser)
    {
        if (connection.state().canSend())
        {
            outbound.offerAll(connection);
        }
        connection.pollMessages(inbound::verify, 64);
        connection.pollEvents((c, from, to, reason) -> { }, 16);
        final boolean done = outbound.allOffered() && (activeCloser || connection.isPeerFinished());
        if (done && (connection.state() == ConnectionState.ESTABLISHED ||
            connection.state() == ConnectionState.CLOSE_WAIT))
        {
            connection.close(nowNs);
        }
    }
}
