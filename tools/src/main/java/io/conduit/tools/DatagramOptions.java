package io.conduit.tools;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.ConnectionConfig;
import picocli.CommandLine.Option;

/**
 * {@code --max-payload} and {@code --pmtu}, shared by {@code blast} and {@code sink}: the DATA payload per segment
 * (both ends must use the same value; the handshake refuses a mismatch) and whether path MTU discovery (RFC 8899)
 * may grow datagrams up to it. Large datagrams are what make 64 KiB messages cheap on a loopback with a 64 KiB MTU.
 */
final class DatagramOptions
{
    @Option(names = "--max-payload", paramLabel = "BYTES", defaultValue = "1400",
        description = "DATA payload per datagram, 1.." + PacketLayout.MAX_DATA_PAYLOAD_LENGTH +
            "; both ends must agree (default ${DEFAULT-VALUE}).")
    int maxPayloadBytes;

    @Option(names = "--pmtu",
        description = "Path MTU discovery: start at 1,200-byte datagrams and probe up to --max-payload (RFC 8899).")
    boolean pathMtuDiscovery;

    /** Applies the options, or returns a usage message when they are out of range. */
    String applyTo(final ConnectionConfig config)
    {
        if (maxPayloadBytes < 1 || maxPayloadBytes > PacketLayout.MAX_DATA_PAYLOAD_LENGTH)
        {
            return "--max-payload must be in [1, " + PacketLayout.MAX_DATA_PAYLOAD_LENGTH + "], was " +
                maxPayloadBytes;
        }
        config.maxPayloadBytes(maxPayloadBytes).pathMtuDiscovery(pathMtuDiscovery);
        return null;
    }
}
