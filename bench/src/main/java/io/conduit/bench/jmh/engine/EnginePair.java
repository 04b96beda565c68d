package io.conduit.bench.jmh.engine;

import java.util.SplittableRandom;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.engine.EndpointEngine;

/**
 * Two endpoint engines joined in memory with no loss and no delay, and one established connection between them;
 * the same wiring as the transport tests' SimEndpoints, minus the simulator, so only engine code is measured.
 * Time is virtual and moves only when the benchmark moves it.
 */
final class EnginePair
{
    static final long CLIENT_KEY = 1;
    static final long SERVER_KEY = 2;
    private static final int HANDSHAKE_ROUNDS = 16;

    final EndpointEngine client;
    final EndpointEngine server;
    final Connection clientConnection;
    final Connection serverConnection;
    private final UnsafeBuffer wire =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(PacketLayout.MAX_DATAGRAM_LENGTH + 64, 64));

    /**
     * @param config both ends' configuration; its {@code ackEverySegments(1)} makes each DATA segment draw one ACK.
     */
    EnginePair(final EndpointConfig config, final long nowNs)
    {
        client = new EndpointEngine(config, new SplittableRandom(1));
        server = new EndpointEngine(config, new SplittableRandom(2));
        server.listen(true);
        clientConnection = client.connect(nowNs, SERVER_KEY);
        Connection accepted = null;
        for (int round = 0; round < HANDSHAKE_ROUNDS && accepted == null; round++)
        {
            flush(nowNs);
            accepted = server.pollAccepted();
        }
        flush(nowNs);
        if (accepted == null || clientConnection.state() != ConnectionState.ESTABLISHED ||
            accepted.state() != ConnectionState.ESTABLISHED)
        {
            throw new IllegalStateException("handshake did not complete: " + clientConnection + " / " + accepted);
        }
        serverConnection = accepted;
        // Drain the handshake's state events: the engine refuses more than its event queue holds.
        clientConnection.pollEvents((connection, from, to, reason) -> { }, Integer.MAX_VALUE);
        serverConnection.pollEvents((connection, from, to, reason) -> { }, Integer.MAX_VALUE);
    }

    /** The configuration the benchmarks use: defaults, except an ACK for every segment. */
    static EndpointConfig config()
    {
        return new EndpointConfig().connection(new ConnectionConfig().ackEverySegments(1));
    }

    /** Moves every pending datagram across until both ends are quiet. Returns how many datagrams moved. */
    int flush(final long nowNs)
    {
        int moved = 0;
        int length;
        do
        {
            length = client.pollTransmit(nowNs, wire, 0);
            if (length > 0)
            {
                server.onDatagram(nowNs, CLIENT_KEY, wire, 0, length);
                moved++;
            }
            final int reply = server.pollTransmit(nowNs, wire, 0);
            if (reply > 0)
            {
                client.onDatagram(nowNs, SERVER_KEY, wire, 0, reply);
                moved++;
            }
            length += reply;
        }
        while (length > 0);
        return moved;
    }

    /** The shared datagram buffer, for benchmarks that move datagrams themselves. */
    UnsafeBuffer wire()
    {
        return wire;
    }

    static boolean consume(final DirectBuffer buffer, final int offset, final int length)
    {
        return true;
    }
}
