package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.conduit.transport.sim.SeededRuns;
import io.conduit.transport.sim.SimNetwork;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two endpoints exchange thousands of messages both ways over a hostile simulated link (loss, duplication,
 * reordering, corruption, jitter), then close; every message must arrive exactly once, in order, byte-identical,
 * and both sides must end CLOSED, the active closer through TIME-WAIT. Replay a failure with -Dconduit.seed=N.
 */
class ReliableTransferSimTest
{
    static final int MESSAGES = 2_000;
    static final int MAX_MESSAGE = 64 * 1024;

    static EndpointConfig testConfig()
    {
        final ConnectionConfig connection = new ConnectionConfig()
            .initialRtoNs(MILLISECONDS.toNanos(100))
            .minRtoNs(MILLISECONDS.toNanos(10))
            .maxRtoNs(SECONDS.toNanos(2))
            .maxRetransmits(40)
            .maxSynRetransmits(20)
            .delayedAckNs(MILLISECONDS.toNanos(2))
            .keepaliveIdleNs(SECONDS.toNanos(5))
            .keepaliveIntervalNs(SECONDS.toNanos(1))
            // TIME-WAIT must outlast the peer's longest retransmission interval (2 x max RTO), or a retransmitted FIN
            // whose ACK was lost finds no TIME-WAIT entry and is answered with RST (seed 29 found this).
            .timeWaitNs(SECONDS.toNanos(4));
        return new EndpointConfig().connection(connection)
            .cookieRotationNs(MILLISECONDS.toNanos(500))
            .cookieLifetimeNs(MILLISECONDS.toNanos(500));
    }

    static void hostile(final SimNetwork network)
    {
        network.defaultLink()
            .lossProbability(0.10)
            .duplicateProbability(0.05)
            .reorderProbability(0.10)
            .reorderDelayNs(MILLISECONDS.toNanos(3))
            .corruptProbability(0.01)
            .delayNs(MILLISECONDS.toNanos(1))
            .jitterNs(MILLISECONDS.toNanos(1));
    }

    @Test
    void everyMessageArrivesOnceInOrderIntactBothWaysThenBothSidesClose()
    {
        // 300 seeds by default keeps CI within budget as the protocol suites grow; -Dconduit.seeds=N or
        // -Dconduit.soak=true runs more.
        SeededRuns.runParallel(getClass().getSimpleName(), 1, 300, seed -> transfer(seed, MESSAGES));
    }

    static void transfer(final long seed, final int messages)
    {
        final SimNetwork network = new SimNetwork(seed);
        hostile(network);
        final SimEndpoints sim = new SimEndpoints(network, testConfig(), 2);
        sim.endpoint(2).listen(true);
        final Connection client = sim.endpoint(1).connect(sim.nowNs(), 2);
        final TransferScenario clientToServer = new TransferScenario(seed * 2 + 1, messages, MAX_MESSAGE);
        final TransferScenario serverToClient = new TransferScenario(seed * 2 + 2, messages, MAX_MESSAGE);
        final List<ConnectionState> clientStates = new ArrayList<>();
        final List<ConnectionState> serverStates = new ArrayList<>();
        Connection server = null;
        final long limitNs = SECONDS.toNanos(3_600);

        while (sim.nowNs() < limitNs)
        {
            if (server == null)
            {
                server = sim.endpoint(2).pollAccepted();
            }
            drive(sim.nowNs(), client, clientToServer, serverToClient, clientStates, true);
            if (server != null)
            {
                drive(sim.nowNs(), server, serverToClient, clientToServer, serverStates, false);
            }
            sim.flush();
            if (client.state() == ConnectionState.CLOSED && server != null &&
                server.state() == ConnectionState.CLOSED && sim.endpoint(1).timeWaitSize() == 0 &&
                sim.nextEventNs() == Long.MAX_VALUE)
            {
                break;
            }
            if (!sim.step(limitNs) && sim.nextEventNs() == Long.MAX_VALUE)
            {
                break;
            }
        }

        assertTrue(server != null, "no connection accepted");
        assertEquals(messages, clientToServer.received(), "client->server delivered; client " + client + " server " + server);
        assertEquals(messages, serverToClient.received(), "server->client delivered; client " + client + " server " + server);
        assertEquals(ConnectionState.CLOSED, client.state(), client.toString());
        assertEquals(ConnectionState.CLOSED, server.state(), server.toString());
        assertEquals(CloseReason.GRACEFUL, client.closeReason(), client.toString());
        assertEquals(CloseReason.GRACEFUL, server.closeReason(), server.toString());
        assertTrue(clientStates.contains(ConnectionState.TIME_WAIT), "active closer passed TIME-WAIT: " + clientStates);
        assertTrue(!serverStates.contains(ConnectionState.TIME_WAIT), "passive closer skips TIME-WAIT: " + serverStates);
        assertEquals(0, sim.endpoint(1).connectionCount());
        assertEquals(0, sim.endpoint(2).connectionCount());
        // Messages of up to 64 KiB queue behind each other, so segments span message boundaries both ways.
        assertTrue(client.counters().spansSent() > 0 && server.counters().spansReceived() > 0, "spans exercised");
        assertTrue(server.counters().spansSent() > 0 && client.counters().spansReceived() > 0, "spans exercised");
    }

    /** One application turn: offer, receive, and close when this side is done. */
    private static void drive(final long nowNs, final Connection connection, final TransferScenario outbound,
        final TransferScenario inbound, final List<ConnectionState> states, final boolean activeCloser)
    {
        connection.pollEvents((c, from, to, reason) -> states.add(to), 16);
        if (connection.state().canSend())
        {
            outbound.offerAll(connection);
        }
        connection.pollMessages(inbound::verify, 64);
        connection.pollEvents((c, from, to, reason) -> states.add(to), 16);
        final boolean done = outbound.allOffered() && (activeCloser || connection.isPeerFinished());
        if (done && (connection.state() == ConnectionState.ESTABLISHED ||
            connection.state() == ConnectionState.CLOSE_WAIT))
        {
            connection.close(nowNs);
        }
    }
}
