package io.conduit.transport.endpoint;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;

import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.status.CounterTypes;
import io.conduit.transport.status.StatusDirectory;
import io.conduit.transport.status.StatusFile;

/**
 * Copies the endpoint's and its connections' statistics into a memory-mapped {@link StatusFile} that
 * {@code conduit stat} reads from another process. Runs on the agent thread every stats interval, never per
 * message, so the hot path pays nothing for it. When the file has no room left, later connections go uncounted
 * there (the endpoint's own counters always fit); their statistics stay available on {@link ConduitConnection}.
 */
final class StatusPublisher implements AutoCloseable
{
    private static final int MAX_COUNTERS = 16 * 1024;
    private static final RejectReason[] REASONS = RejectReason.values();
    private static final int[] CONNECTION_TYPES = {
        CounterTypes.CONNECTION_STATE, CounterTypes.CONNECTION_BYTES_SENT, CounterTypes.CONNECTION_BYTES_RECEIVED,
        CounterTypes.CONNECTION_SEGMENTS_SENT, CounterTypes.CONNECTION_SEGMENTS_RECEIVED,
        CounterTypes.CONNECTION_RETRANSMITS, CounterTypes.CONNECTION_DUPLICATES, CounterTypes.CONNECTION_SRTT_US,
        CounterTypes.CONNECTION_RTTVAR_US, CounterTypes.CONNECTION_RTO_US, CounterTypes.CONNECTION_CWND_BYTES,
        CounterTypes.CONNECTION_RECEIVE_WINDOW, CounterTypes.CONNECTION_MESSAGES_SENT,
        CounterTypes.CONNECTION_MESSAGES_DELIVERED};
    private static final String[] CONNECTION_NAMES = {
        "state", "bytes_sent", "bytes_received", "segments_sent", "segments_received", "retransmits", "duplicates",
        "srtt_us", "rttvar_us", "rto_us", "cwnd_bytes", "receive_window", "messages_sent", "messages_delivered"};

    private final StatusFile file;
    private final String prefix;
    private final int[] endpointIds = new int[EndpointStats.COUNT];

    StatusPublisher(final EndpointContext context, final String name, final InetSocketAddress local)
    {
        final Path dir = context.statusDirectory() != null ? context.statusDirectory() : StatusDirectory.defaultDir();
        this.file = StatusFile.create(dir, name, MAX_COUNTERS);
        this.prefix = "endpoint " + local.getHostString() + ":" + local.getPort() + " ";
        java.util.Arrays.fill(endpointIds, -1);
        endpoint(EndpointStats.DATAGRAMS_RECEIVED, CounterTypes.ENDPOINT_DATAGRAMS_RECEIVED, "datagrams_received");
        endpoint(EndpointStats.DATAGRAMS_SENT, CounterTypes.ENDPOINT_DATAGRAMS_SENT, "datagrams_sent");
        endpoint(EndpointStats.BYTES_RECEIVED, CounterTypes.ENDPOINT_BYTES_RECEIVED, "bytes_received");
        endpoint(EndpointStats.BYTES_SENT, CounterTypes.ENDPOINT_BYTES_SENT, "bytes_sent");
        endpoint(EndpointStats.REJECTED, CounterTypes.ENDPOINT_REJECTED, "rejected_total");
        endpoint(EndpointStats.CONNECTIONS_OPENED, CounterTypes.ENDPOINT_CONNECTIONS_OPENED, "connections_opened");
        endpoint(EndpointStats.CONNECTIONS_CLOSED, CounterTypes.ENDPOINT_CONNECTIONS_CLOSED, "connections_closed");
        endpoint(EndpointStats.CONNECTIONS_ACTIVE, CounterTypes.ENDPOINT_CONNECTIONS_ACTIVE, "connections_active");
        endpoint(EndpointStats.TIME_WAIT_SIZE, CounterTypes.ENDPOINT_TIME_WAIT_SIZE, "time_wait");
        endpoint(EndpointStats.SEND_WOULD_BLOCK, CounterTypes.ENDPOINT_SEND_WOULD_BLOCK, "send_would_block");
        endpoint(EndpointStats.DUTY_CYCLES, CounterTypes.ENDPOINT_DUTY_CYCLES, "duty_cycles");
        for (final RejectReason reason : REASONS)
        {
            if (reason != RejectReason.NONE)
            {
                endpoint(EndpointStats.FIRST_REJECT_REASON + reason.code(), CounterTypes.ENDPOINT_REJECTED,
                    "rejected_" + reason.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    private void endpoint(final int index, final int typeId, final String name)
    {
        endpointIds[index] = file.allocate(prefix + name, typeId);
    }

    void addConnection(final ConduitConnection connection)
    {
        final int[] ids = new int[CONNECTION_TYPES.length];
        final InetSocketAddress remote = connection.remoteAddress();
        final String label = String.format("conn %08x->%s:%d ", connection.localId(), remote.getHostString(),
            remote.getPort());
        try
        {
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = -1;
            }
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = file.allocate(label + CONNECTION_NAMES[i], CONNECTION_TYPES[i]);
            }
            connection.statusCounterIds = ids;
        }
        catch (final IllegalStateException full)
        {
            free(ids);
        }
    }

    void removeConnection(final ConduitConnection connection)
    {
        if (connection.statusCounterIds != null)
        {
            free(connection.statusCounterIds);
            connection.statusCounterIds = null;
        }
    }

    private void free(final int[] ids)
    {
        for (final int id : ids)
        {
            if (id >= 0)
            {
                file.free(id);
            }
        }
    }

    void publish(final EndpointStats stats, final ArrayList<ConduitConnection> live, final long epochMs)
    {
        for (int i = 0; i < endpointIds.length; i++)
        {
            if (endpointIds[i] >= 0)
            {
                file.set(endpointIds[i], stats.get(i));
            }
        }
        for (int i = 0, size = live.size(); i < size; i++)
        {
            final ConduitConnection connection = live.get(i);
            final int[] ids = connection.statusCounterIds;
            if (ids != null)
            {
                file.set(ids[0], connection.state().ordinal());
                file.set(ids[1], connection.payloadBytesSent());
                file.set(ids[2], connection.payloadBytesReceived());
                file.set(ids[3], connection.segmentsSent());
                file.set(ids[4], connection.segmentsReceived());
                file.set(ids[5], connection.retransmits());
                file.set(ids[6], connection.duplicateSegments());
                file.set(ids[7], connection.srttNs() / 1000);
                file.set(ids[8], connection.rttVarNs() / 1000);
                file.set(ids[9], connection.rtoNs() / 1000);
                file.set(ids[10], connection.congestionWindowBytes());
                file.set(ids[11], connection.receiveWindowSegments());
                file.set(ids[12], connection.messagesSent());
                file.set(ids[13], connection.messagesDelivered());
            }
        }
        file.heartbeat(epochMs);
    }

    @Override
    public void close()
    {
        file.close();
    }
}
