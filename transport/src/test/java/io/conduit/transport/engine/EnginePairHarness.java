package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.RejectReason;

/**
 * Two endpoint engines joined by hand: a test drains each side's datagrams into a list, looks at them, drops or
 * damages some, and delivers the rest. Time is virtual and moves only when the test moves it.
 */
final class EnginePairHarness
{
    static final long CLIENT_KEY = 1;
    static final long SERVER_KEY = 2;

    final EndpointEngine client;
    final EndpointEngine server;
    final Connection clientConnection;
    final Connection serverConnection;
    long nowNs = 1_000_000_000L;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);

    EnginePairHarness(final EndpointConfig config)
    {
        client = new EndpointEngine(config, new SplittableRandom(11));
        server = new EndpointEngine(config, new SplittableRandom(12));
        server.listen(true);
        clientConnection = client.connect(nowNs, SERVER_KEY);
        Connection accepted = null;
        for (int round = 0; round < 16 && accepted == null; round++)
        {
            exchange();
            accepted = server.pollAccepted();
        }
        exchange();
        if (accepted == null || clientConnection.state() != ConnectionState.ESTABLISHED ||
            accepted.state() != ConnectionState.ESTABLISHED)
        {
            throw new IllegalStateException("handshake did not complete: " + clientConnection + " / " + accepted);
        }
        serverConnection = accepted;
        clientConnection.pollEvents((connection, from, to, reason) -> { }, Integer.MAX_VALUE);
        serverConnection.pollEvents((connection, from, to, reason) -> { }, Integer.MAX_VALUE);
    }

    /** Everything {@code from} has to send now, one array per datagram. */
    List<byte[]> drain(final EndpointEngine from)
    {
        final List<byte[]> datagrams = new ArrayList<>();
        int length;
        while ((length = from.pollTransmit(nowNs, out, 0)) > 0)
        {
            final byte[] datagram = new byte[length];
            out.getBytes(0, datagram);
            datagrams.add(datagram);
        }
        return datagrams;
    }

    void deliverToServer(final List<byte[]> datagrams)
    {
        for (final byte[] datagram : datagrams)
        {
            server.onDatagram(nowNs, CLIENT_KEY, new UnsafeBuffer(datagram), 0, datagram.length);
        }
    }

    void deliverToClient(final List<byte[]> datagrams)
    {
        for (final byte[] datagram : datagrams)
        {
            client.onDatagram(nowNs, SERVER_KEY, new UnsafeBuffer(datagram), 0, datagram.length);
        }
    }

    /** Moves datagrams both ways until both ends are quiet. */
    void exchange()
    {
        for (int round = 0; round < 1_000; round++)
        {
            final List<byte[]> toServer = drain(client);
            deliverToServer(toServer);
            final List<byte[]> toClient = drain(server);
            deliverToClient(toClient);
            if (toServer.isEmpty() && toClient.isEmpty())
            {
                return;
            }
        }
        throw new IllegalStateException("no quiet after 1,000 rounds");
    }

    /** Jumps to the earliest deadline of either engine and fires due timers. */
    void advanceToNextDeadline()
    {
        final long next = Math.min(client.nextDeadlineNs(), server.nextDeadlineNs());
        nowNs = Math.max(nowNs, next);
        client.onTimer(nowNs);
        server.onTimer(nowNs);
    }

    /** A decoder already wrapped around {@code datagram}, which must be well formed. */
    static PacketDecoder decode(final byte[] datagram)
    {
        final PacketDecoder decoder = new PacketDecoder();
        final int reason = decoder.wrap(new UnsafeBuffer(datagram), 0, datagram.length);
        if (reason != RejectReason.NONE.code())
        {
            throw new IllegalStateException("malformed: " + RejectReason.of(reason));
        }
        return decoder;
    }
}
