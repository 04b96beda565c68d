package io.conduit.transport.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.congestion.CongestionConfig;
import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.sim.LinkConfig;
import io.conduit.transport.sim.LinkStats;
import io.conduit.transport.sim.SimNetwork;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * One bulk flow on virtual time over a bottleneck link: the client keeps its send buffer full of one-segment
 * messages for a fixed duration, the server reads everything. Goodput counts application bytes delivered in order
 * after a warm-up (slow start / STARTUP), so it measures the controller's steady state the way a long transfer
 * would; capacity is the link's rate in datagram bytes, so the 28-byte compact DATA header already costs 2% of it.
 */
final class BulkTransferSim
{
    static final int PAYLOAD = 1_400;

    private final long seed;
    private CongestionControlKind kind = CongestionControlKind.NEW_RENO;
    private CongestionConfig congestionConfig = new CongestionConfig();
    private long bandwidthBytesPerSecond = 12_500_000;
    private long rttNs = MILLISECONDS.toNanos(50);
    private double lossProbability;
    private long queueLimitBytes = -1;
    private long warmupNs = MILLISECONDS.toNanos(1_500);
    private long durationNs = SECONDS.toNanos(5);
    private int windowSegments = 4_096;
    private int chunkMessages;
    private long chunkPeriodNs;

    BulkTransferSim(final long seed)
    {
        this.seed = seed;
    }

    BulkTransferSim congestion(final CongestionControlKind value)
    {
        kind = value;
        return this;
    }

    BulkTransferSim congestionConfig(final CongestionConfig value)
    {
        congestionConfig = value;
        return this;
    }

    BulkTransferSim link(final long bytesPerSecond, final long roundTripNs, final double loss)
    {
        bandwidthBytesPerSecond = bytesPerSecond;
        rttNs = roundTripNs;
        lossProbability = loss;
        return this;
    }

    /** Drop-tail queue at the bottleneck; by default one bandwidth-delay product. */
    BulkTransferSim queueLimitBytes(final long value)
    {
        queueLimitBytes = value;
        return this;
    }

    BulkTransferSim durations(final long warmup, final long total)
    {
        warmupNs = warmup;
        durationNs = total;
        return this;
    }

    /** Instead of a bulk flow, an application that writes {@code messages} segments every {@code periodNs}. */
    BulkTransferSim chunks(final int messages, final long periodNs)
    {
        chunkMessages = messages;
        chunkPeriodNs = periodNs;
        return this;
    }

    long bdpBytes()
    {
        return bandwidthBytesPerSecond * rttNs / SECONDS.toNanos(1);
    }

    Result run()
    {
        final SimNetwork network = new SimNetwork(seed);
        final LinkConfig link = network.defaultLink()
            .delayNs(rttNs / 2)
            .bandwidthBytesPerSecond(bandwidthBytesPerSecond)
            .queueLimitBytes(queueLimitBytes >= 0 ? queueLimitBytes : bdpBytes())
            .lossProbability(lossProbability);
        final ConnectionConfig connection = new ConnectionConfig()
            .maxPayloadBytes(PAYLOAD)
            .sendWindowSegments(windowSegments)
            .receiveWindowSegments(windowSegments)
            .sendBufferBytes(windowSegments * PAYLOAD)
            .congestionControl(kind)
            .congestionConfig(congestionConfig);
        final EndpointConfig config = new EndpointConfig().connection(connection);
        final SimEndpoints sim = new SimEndpoints(network, config, 2);
        sim.verifyTimers(false);
        sim.endpoint(2).listen(true);
        final Connection client = sim.endpoint(1).connect(sim.nowNs(), 2);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[PAYLOAD]);
        final long[] delivered = new long[1];
        Connection server = null;
        long deliveredAtWarmup = -1;
        long nextChunkNs = 0;
        long traceNs = 0;
        final long endNs = durationNs;
        while (sim.nowNs() < endNs)
        {
            if (server == null)
            {
                server = sim.endpoint(2).pollAccepted();
            }
            if (chunkMessages > 0)
            {
                if (client.state().canSend() && sim.nowNs() >= nextChunkNs)
                {
                    for (int i = 0; i < chunkMessages; i++)
                    {
                        client.offer(message, 0, PAYLOAD);
                    }
                    nextChunkNs += chunkPeriodNs;
                }
            }
            else if (client.state().canSend())
            {
                while (client.offer(message, 0, PAYLOAD) >= 0)
                {
                    // fill the send buffer
                }
            }
            if (server != null)
            {
                server.pollMessages((buffer, offset, length) ->
                {
                    delivered[0] += length;
                    return true;
                }, Integer.MAX_VALUE);
            }
            if (deliveredAtWarmup < 0 && sim.nowNs() >= warmupNs)
            {
                deliveredAtWarmup = delivered[0];
            }
            if (Boolean.getBoolean("bulk.trace") && sim.nowNs() >= traceNs)
            {
                System.out.printf("t=%.2f delivered=%d %s%n", sim.nowNs() / 1e9, delivered[0], client);
                traceNs += 250_000_000L;
            }
            sim.flush();
            sim.step(chunkMessages > 0 ? Math.min(endNs, Math.max(nextChunkNs, sim.nowNs())) : endNs);
        }
        final double seconds = (endNs - warmupNs) / 1e9;
        final double goodput = (delivered[0] - deliveredAtWarmup) / seconds;
        return new Result(goodput / bandwidthBytesPerSecond, delivered[0], network.stats(1, 2).copy(),
            client.counters(), client.toString());
    }

    /** The measurement, with enough context to explain a failed assertion. */
    static final class Result
    {
        final double utilisation;
        final long deliveredBytes;
        final LinkStats forward;
        final ConnectionCounters counters;
        final String client;

        Result(final double utilisation, final long deliveredBytes, final LinkStats forward,
            final ConnectionCounters counters, final String client)
        {
            this.utilisation = utilisation;
            this.deliveredBytes = deliveredBytes;
            this.forward = forward;
            this.counters = counters;
            this.client = client;
        }

        @Override
        public String toString()
        {
            return String.format("goodput %.1f%% of capacity, delivered %d B, queue drops %d, random drops %d, " +
                "retransmits %d, fast %d, timeouts %d; %s", utilisation * 100, deliveredBytes,
                forward.droppedQueueFull(), forward.dropped(), counters.retransmits(), counters.fastRetransmits(),
                counters.timeouts(), client);
        }
    }
}
