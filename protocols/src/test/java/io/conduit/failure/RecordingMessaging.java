package io.conduit.failure;

import java.util.ArrayList;
import java.util.List;

import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import org.agrona.DirectBuffer;

/** Records what a node sends (type, destination, seq, timestamp) and answers each send with a settable result. */
final class RecordingMessaging implements Messaging
{
    record Sent(int to, byte type, long seq, long timestampNs)
    {
    }

    final List<Sent> sent = new ArrayList<>();
    final FailureMessageFlyweight message = new FailureMessageFlyweight();
    final int localMemberId;
    long sendResult = 0;
    boolean recording = true;

    RecordingMessaging(final int localMemberId)
    {
        this.localMemberId = localMemberId;
    }

    List<Sent> sentOfType(final byte type)
    {
        return sent.stream().filter((s) -> s.type() == type).toList();
    }

    @Override
    public int localMemberId()
    {
        return localMemberId;
    }

    @Override
    public long send(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (recording)
        {
            message.wrap(buffer, offset, length);
            sent.add(new Sent(memberId, message.type(), message.seq(), message.timestampNs()));
        }
        return sendResult;
    }

    @Override
    public int poll(final MessageHandler handler, final int limit)
    {
        return 0;
    }

    @Override
    public int pollPeerEvents(final PeerEventHandler handler, final int limit)
    {
        return 0;
    }

    @Override
    public boolean isConnected(final int memberId)
    {
        return true;
    }

    @Override
    public int doWork()
    {
        return 0;
    }

    @Override
    public int maxMessageLength()
    {
        return 1024;
    }

    @Override
    public void close()
    {
    }
}
