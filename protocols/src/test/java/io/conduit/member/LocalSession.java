package io.conduit.member;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;

/**
 * A blocking session over a {@link LocalKvClient} for tests: one request at a time, retried under the same sequence
 * on RETRY or NOT_LEADER until a final answer or the deadline.
 */
final class LocalSession implements MessageHandler, AutoCloseable
{
    private final LocalKvClient client;
    private final long clientId;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[64 * 1024]);
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private long sequence;
    private KvStatus status;
    private byte[] payload;
    private long index;
    private long leaderHint;

    LocalSession(final LocalKvClient client, final long clientId)
    {
        this.client = client;
        this.clientId = clientId;
    }

    /** Runs one operation; returns its final status (the payload via {@link #payload()}), or throws on timeout. */
    KvStatus call(final KvOperation operation, final Consistency consistency, final long timeoutMs)
        throws IOException
    {
        sequence++;
        final int length = KvRequestFlyweight.encode(request, 0, clientId, sequence, consistency, 0, operation);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final YieldingIdleStrategy idle = new YieldingIdleStrategy();
        while (System.nanoTime() - deadlineNs < 0)
        {
            status = null;
            if (!client.offer(request, 0, length))
            {
                idle.idle();
                continue;
            }
            final long resendNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (status == null && System.nanoTime() - resendNs < 0)
            {
                idle.idle(client.poll(this, 16));
            }
            if (status != null && status.isFinal())
            {
                return status;
            }
        }
        throw new IOException("no final answer to " + operation + " within " + timeoutMs + " ms (last " + status +
            ", hint " + leaderHint + ")");
    }

    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        response.wrap(buffer, offset, length);
        if (response.clientId() != clientId || response.sequence() != sequence)
        {
            return;
        }
        status = response.status();
        payload = response.payloadBytes();
        index = response.index();
        leaderHint = response.leaderHint();
    }

    byte[] payload()
    {
        return payload;
    }

    String payloadString()
    {
        return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }

    long index()
    {
        return index;
    }

    long leaderHint()
    {
        return leaderHint;
    }


    @Override
    public void close()
    {
        client.close();
    }
}
