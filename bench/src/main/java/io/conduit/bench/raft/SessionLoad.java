package io.conduit.bench.raft;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.member.LocalKvClient;

/**
 * Load for the replication benchmarks: sessions spread over members' in-process clients, one request outstanding each; a redirected or refused request
 * is resent under the same sequence, and a member that redirects a read is dropped from the rotation.
 */
final class SessionLoad implements MessageHandler
{
    private static final int RESEND_AFTER_SECONDS = 2;
    private static final long RESEND_AFTER_NS = TimeUnit.SECONDS.toNanos(RESEND_AFTER_SECONDS);

    private final LocalKvClient[] clients;
    private final boolean[] serving;
    private final int window;
    private final long clientIdBase;
    private final UnsafeBuffer[] requests;
    private final int[] lengths;
    private final long[] sequences;
    private final long[] sentAtNs;
    private final boolean[] inFlight;
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
    private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private boolean measuring;
    private long completed;
    private long resends;
    private String firstRefusal;

    SessionLoad(final LocalKvClient[] clients, final int window, final int valueBytes, final boolean writes)
    {
        this.clients = clients;
        this.window = window;
        this.serving = new boolean[clients.length];
        Arrays.fill(serving, true);
        final int sessions = clients.length * window;
        this.clientIdBase = new SplittableRandom(System.nanoTime()).nextLong() & 0x7FFF_FFFF_0000_0000L;
        requests = new UnsafeBuffer[sessions];
        lengths = new int[sessions];
        sequences = new long[sessions];
        sentAtNs = new long[sessions];
        inFlight = new boolean[sessions];
        final byte[] value = new byte[valueBytes];
        final SplittableRandom letters = new SplittableRandom(42);
        for (int i = 0; i < valueBytes; i++)
        {
            value[i] = (byte)('a' + letters.nextInt(26));
        }
        for (int i = 0; i < sessions; i++)
        {
            final byte[] key = ("bench-" + (i % window)).getBytes();
            final KvOperation operation = writes ? KvOperation.put(key, value) : KvOperation.get(key);
            requests[i] = new UnsafeBuffer(new byte[KvRequestFlyweight.HEADER_LENGTH + valueBytes + 64]);
            lengths[i] = KvRequestFlyweight.encode(requests[i], 0, clientIdBase + i + 1, 0,
                Consistency.LINEARIZABLE, 0, operation);
        }
    }

    long completed()
    {
        return completed;
    }

    Histogram latencyNs()
    {
        return latencyNs;
    }

    /** Requests sent again: after a redirect, a RETRY or {@value #RESEND_AFTER_SECONDS} s without an answer. */
    long resends()
    {
        return resends;
    }

    /** The first non-final or error answer, for diagnosis (e.g. a malformed request); null when there was none. */
    String firstRefusal()
    {
        return firstRefusal;
    }

    int servingMembers()
    {
        int count = 0;
        for (final boolean s : serving)
        {
            count += s ? 1 : 0;
        }
        return count;
    }

    void run(final long durationNs, final boolean measure)
    {
        measuring = measure;
        completed = 0;
        resends = 0;
        latencyNs.reset();
        final long endNs = System.nanoTime() + durationNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) - endNs < 0)
        {
            int work = 0;
            for (int i = 0; i < requests.length; i++)
            {
                final int member = i / window;
                if (!serving[member])
                {
                    continue;
                }
                if (!inFlight[i])
                {
                    sequences[i]++;
                    work += send(i, nowNs) ? 1 : 0;
                }
                else if (nowNs - sentAtNs[i] > RESEND_AFTER_NS)
                {
                    resends++;
                    work += send(i, nowNs) ? 1 : 0;
                }
            }
            for (final LocalKvClient client : clients)
            {
                work += client.poll(this, 256);
            }
            idle.idle(work);
        }
    }

    private boolean send(final int session, final long nowNs)
    {
        requests[session].putLong(KvRequestFlyweight.SEQUENCE_OFFSET, sequences[session], ByteOrder.LITTLE_ENDIAN);
        if (clients[session / window].offer(requests[session], 0, lengths[session]))
        {
            if (!inFlight[session])
            {
                sentAtNs[session] = nowNs;
            }
            inFlight[session] = true;
            return true;
        }
        return false;
    }

    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        response.wrap(buffer, index, length);
        final int session = (int)(response.clientId() - clientIdBase - 1);
        if (session < 0 || session >= requests.length || !inFlight[session] ||
            response.sequence() != sequences[session])
        {
            return;
        }
        inFlight[session] = false;
        final KvStatus status = response.status();
        if (status == KvStatus.NOT_LEADER && clients.length > 1)
        {
            // Reads: this member does not serve them (a chain member that is not the tail, without CRAQ).
            serving[session / window] = false;
        }
        if (!status.isFinal() || status == KvStatus.ERROR)
        {
            if (firstRefusal == null)
            {
                firstRefusal = status + " " + response.payloadString();
            }
            resends++;
            sequences[session]--;
            return;
        }
        if (measuring)
        {
            completed++;
            latencyNs.recordValue(Math.max(0, System.nanoTime() - sentAtNs[session]));
        }
    }
}
