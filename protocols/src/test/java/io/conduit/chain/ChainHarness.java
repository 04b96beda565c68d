package io.conduit.chain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replicas driven by hand for the spec tests: every message goes through {@link ChainMessageCodec} into one FIFO
 * the test can inspect, hold back, drop or deliver one at a time; client answers are collected per link id.
 */
final class ChainHarness
{
    /** A message between members, as bytes on the wire. */
    record Envelope(int from, int to, byte[] bytes)
    {
        ChainMessage message()
        {
            return ChainMessageCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
        }

        @Override
        public String toString()
        {
            return from + "->" + to + " " + message();
        }
    }

    private final ChainOptions options;
    private final Map<Integer, ChainReplica> replicas = new TreeMap<>();
    private final Map<Integer, KvStateMachine> machines = new TreeMap<>();
    private final List<Envelope> inFlight = new ArrayList<>();
    private final Map<Long, List<byte[]>> responses = new TreeMap<>();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private long nowNs = 1_000_000;

    ChainHarness(final ChainOptions options, final int... members)
    {
        this.options = options;
        for (final int member : members)
        {
            add(member);
        }
        configure(new ChainConfiguration(ChainConfiguration.FIRST_EPOCH, members));
        // Links come up with the first HELLOs; the tests start from a linked chain.
        deliverAll();
    }

    /** A fresh, unconfigured replica with an empty state machine. */
    ChainReplica add(final int member)
    {
        final KvStateMachine machine = new KvStateMachine(KvConfig.DEFAULT);
        final ChainReplica replica = ChainReplica.ofKv(member, machine, options);
        machines.put(member, machine);
        replicas.put(member, replica);
        return replica;
    }

    /** Hands {@code configuration} to every live replica. */
    void configure(final ChainConfiguration configuration)
    {
        for (final ChainReplica replica : replicas.values())
        {
            replica.onConfiguration(nowNs, configuration);
        }
    }

    /** Hands {@code configuration} to one replica only. */
    void configure(final int member, final ChainConfiguration configuration)
    {
        replica(member).onConfiguration(nowNs, configuration);
    }

    /** The member and everything in flight to or from it vanish. */
    void crash(final int member)
    {
        replicas.remove(member);
        machines.remove(member);
        inFlight.removeIf(envelope -> envelope.from() == member || envelope.to() == member);
    }

    ChainReplica replica(final int member)
    {
        return replicas.get(member);
    }

    KvStateMachine machine(final int member)
    {
        return machines.get(member);
    }

    void advanceNs(final long deltaNs)
    {
        nowNs += deltaNs;
    }

    long nowNs()
    {
        return nowNs;
    }

    // ------------------------------------------------------------------------------------------ clients

    /** Sends a request from client {@code clientId} over link {@code link} to {@code member}. */
    void request(final int member, final long link, final long clientId, final long sequence, final KvOperation op)
    {
        final int length = KvRequestFlyweight.encode(scratch, 0, clientId, sequence, Consistency.LINEARIZABLE, 0, op);
        replica(member).onClientRequest(nowNs, link, scratch, 0, length);
    }

    /** Every answer for {@code link} so far, oldest first, after polling every replica. */
    List<KvResponseFlyweight> responses(final long link)
    {
        pollResponses();
        final List<KvResponseFlyweight> decoded = new ArrayList<>();
        for (final byte[] bytes : responses.getOrDefault(link, List.of()))
        {
            final KvResponseFlyweight response = new KvResponseFlyweight().wrap(new UnsafeBuffer(bytes), 0,
                bytes.length);
            if (response.validate(KvConfig.DEFAULT) < 0)
            {
                throw new AssertionError("invalid response " + Arrays.toString(bytes));
            }
            decoded.add(response);
        }
        return decoded;
    }

    /** The only answer for {@code link}; fails if there is none or more than one. */
    KvResponseFlyweight onlyResponse(final long link)
    {
        final List<KvResponseFlyweight> all = responses(link);
        if (all.size() != 1)
        {
            throw new AssertionError("expected one response on link " + link + ", got " + all.size());
        }
        return all.get(0);
    }

    private void pollResponses()
    {
        for (final ChainReplica replica : replicas.values())
        {
            replica.pollResponses((link, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                responses.computeIfAbsent(link, ignored -> new ArrayList<>()).add(bytes);
                return true;
            }, Integer.MAX_VALUE);
        }
    }

    // ------------------------------------------------------------------------------------------ members' messages

    /** Collects every replica's output into the in-flight FIFO. */
    void poll()
    {
        for (final ChainReplica replica : replicas.values())
        {
            replica.pollMessages((to, message) ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ChainMessageCodec.encodedLength(message)]);
                ChainMessageCodec.encode(message, buffer, 0);
                inFlight.add(new Envelope(replica.memberId(), to, buffer.byteArray()));
                return true;
            }, Integer.MAX_VALUE);
        }
        pollResponses();
    }

    /** Polls, then returns what is in flight (a live view: tests may remove from it). */
    List<Envelope> inFlight()
    {
        poll();
        return inFlight;
    }

    /** Polls, then delivers the oldest in-flight message matching {@code which}; false if none matches. */
    boolean deliverFirst(final Predicate<Envelope> which)
    {
        poll();
        final Iterator<Envelope> iterator = inFlight.iterator();
        while (iterator.hasNext())
        {
            final Envelope envelope = iterator.next();
            if (which.test(envelope))
            {
                iterator.remove();
                deliver(envelope);
                return true;
            }
        }
        return false;
    }

    /** Delivers messages in FIFO order (polling after each) until nothing is in flight; returns how many. */
    int deliverAll()
    {
        int delivered = 0;
        while (deliverFirst(envelope -> true))
        {
            delivered++;
            if (delivered > 100_000)
            {
                throw new AssertionError("no quiescence: " + inFlight);
            }
        }
        return delivered;
    }

    /** Drops every in-flight message matching {@code which}; returns how many. */
    int drop(final Predicate<Envelope> which)
    {
        poll();
        final int before = inFlight.size();
        inFlight.removeIf(which);
        return before - inFlight.size();
    }

    private void deliver(final Envelope envelope)
    {
        final ChainReplica target = replicas.get(envelope.to());
        final ChainMessage message = envelope.message();
        if (message == null)
        {
            throw new AssertionError("the codec refused its own encoding: " + Arrays.toString(envelope.bytes()));
        }
        if (target != null)
        {
            target.onMessage(nowNs, envelope.from(), message);
        }
    }

    static Predicate<Envelope> between(final int from, final int to)
    {
        return envelope -> envelope.from() == from && envelope.to() == to;
    }

    static Predicate<Envelope> ofType(final ChainMessageType type)
    {
        return envelope -> envelope.message().type() == type;
    }

    /** The state machine's snapshot bytes: equal states write equal bytes. */
    byte[] snapshot(final int member)
    {
        final ExpandableArrayBuffer image = new ExpandableArrayBuffer(256);
        final int[] length = new int[1];
        machine(member).writeSnapshot((buffer, offset, chunk) ->
        {
            image.putBytes(length[0], buffer, offset, chunk);
            length[0] += chunk;
        });
        return Arrays.copyOf(image.byteArray(), length[0]);
    }
}
