package io.conduit.examples;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.ConnectionClosedException;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;

/**
 * A server and a client endpoint in one process: the client sends three messages, the server prints them and
 * answers each, then both close gracefully. Run: {@code java $(native-config/jvm-options.sh) -cp
 * tools/target/conduit.jar io.conduit.examples.HelloConduit}
 */
public final class HelloConduit
{
    private HelloConduit()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        // Each endpoint owns one UDP socket and runs its duty cycle on its own thread (ThreadingMode.DEDICATED).
        try (Endpoint server = Endpoint.launch(new EndpointContext().bind("127.0.0.1", 0).listen(true));
            Endpoint client = Endpoint.launch(new EndpointContext().bind("127.0.0.1", 0)))
        {
            final InetSocketAddress serverAddress = server.localAddress();
            final ConduitConnection toServer = client.connect(serverAddress, 5, TimeUnit.SECONDS);
            final ConduitConnection fromClient = server.accept(5, TimeUnit.SECONDS);

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            for (final String text : new String[]{"hello", "from", "conduit"})
            {
                final int length = buffer.putStringWithoutLengthUtf8(0, text);
                // offer() never blocks (it returns a negative code when back-pressured); send() waits for room.
                toServer.send(buffer, 0, length, 5, TimeUnit.SECONDS);
            }
            toServer.close();                                  // FIN after everything offered so far

            try
            {
                while (true)                                   // until the client's FIN arrives
                {
                    fromClient.receive((message, offset, length) ->
                    {
                        final String text = message.getStringWithoutLengthUtf8(offset, length);
                        System.out.println("server got: " + text);
                        final int reply = buffer.putStringWithoutLengthUtf8(0, text.toUpperCase());
                        fromClient.offer(buffer, 0, reply);   // the client still reads: it only closed its side
                    }, 5, TimeUnit.SECONDS);
                }
            }
            catch (final ConnectionClosedException finished)
            {
                System.out.println("server: client finished (" + finished.reason() + ")");
            }
            fromClient.close();

            try
            {
                while (true)
                {
                    toServer.receive((message, offset, length) -> System.out.println(
                        "client got: " + message.getStringWithoutLengthUtf8(offset, length)), 5, TimeUnit.SECONDS);
                }
            }
            catch (final ConnectionClosedException finished)
            {
                System.out.println("client: server finished (" + finished.reason() + ")");
            }
            client.refreshStats();                             // statistics are otherwise published every 100 ms
            System.out.println("srtt " + toServer.srttNs() / 1000 + " us, retransmits " + toServer.retransmits() +
                ", messages sent " + toServer.messagesSent());
        }
        System.out.println("done");
    }
}
