package io.conduit.chain.control;

import java.util.SplittableRandom;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.kv.client.KvClientConfig;
import io.conduit.kv.client.KvClientSession;
import io.conduit.linearizability.KvOperation;
import io.conduit.linearizability.KvResult;
import io.conduit.linearizability.Result;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client of the simulated chain driving the real {@link KvClientSession} (what {@code conduit kv} uses): it knows
 * every member, follows NOT_LEADER hints by member id, retries the same sequence after RETRY or a silent attempt, and
 * gives up at its deadline (the operation stays open in the history). Members are nodes 0..n-1 with member ids
 * 1..n. It works on a few shared keys so clients conflict.
 */
final class SimKvClient
{
    private static final int KEYS = 3;

    private final ChainControlSim sim;
    private final int index;
    private final SplittableRandom random;
    private final KvClientSession session;
    private final long giveUpNs;
    private final String[] lastValueSeen = new String[KEYS];
    private final UnsafeBuffer responseView = new UnsafeBuffer(new byte[0]);

    private boolean stopped;
    private long nextStartNs;
    private int valueCounter;
    private KvOperation operation;
    private int historyId;
    private int completed;
    private int gaveUp;

    SimKvClient(final ChainControlSim sim, final int index, final int members, final SplittableRandom random,
        final long giveUpNs)
    {
        this.sim = sim;
        this.index = index;
        this.random = random;
        this.giveUpNs = giveUpNs;
        final KvClientConfig config = new KvClientConfig().kvConfig(ChainControlSim.KV_CONFIG)
            .attemptTimeoutNs(80 * ChainControlSim.MS).retryBackoffNs(5 * ChainControlSim.MS)
            .nodeBackoffNs(50 * ChainControlSim.MS);
        this.session = new KvClientSession(members, Consistency.LINEARIZABLE, config, random.split());
        for (int node = 0; node < members; node++)
        {
            // As if every member had answered the client's hello: hints name member ids.
            session.onNodeIdentified(node, node + 1);
        }
    }

    int completed()
    {
        return completed;
    }

    int gaveUp()
    {
        return gaveUp;
    }

    boolean isIdle()
    {
        return operation == null;
    }

    /** Finishes the current operation, then starts no more. */
    void stop()
    {
        stopped = true;
    }

    void onStep(final long nowNs)
    {
        if (operation == null)
        {
            if (!stopped && nowNs - nextStartNs >= 0)
            {
                start(nowNs);
            }
            return;
        }
        if (session.nextDeadlineNs() - nowNs <= 0)
        {
            session.onTimer(nowNs);
        }
        if (session.state() == KvClientSession.State.TIMED_OUT)
        {
            gaveUp++;
            sim.note("client " + index + " gives up #" + session.sequence() + " " + operation);
            finish(nowNs);
            return;
        }
        sendIfReady(nowNs);
    }

    private void start(final long nowNs)
    {
        operation = nextOperation();
        historyId = sim.history().invoke(index, operation, nowNs);
        if (session.start(nowNs, toRequest(operation), giveUpNs) < 0)
        {
            throw sim.failure("client " + index + " could not encode " + operation);
        }
        sendIfReady(nowNs);
    }

    private void sendIfReady(final long nowNs)
    {
        if (session.state() == KvClientSession.State.READY_TO_SEND)
        {
            final int node = session.targetNode();
            final byte[] bytes = new byte[session.requestLength()];
            session.requestBuffer().getBytes(0, bytes);
            sim.sendRequest(index, node + 1, bytes);
            session.onSent(nowNs, node);
        }
    }

    void onResponse(final long nowNs, final int fromMember, final byte[] bytes)
    {
        responseView.wrap(bytes);
        if (operation == null || !session.onResponse(nowNs, fromMember - 1, responseView, 0, bytes.length))
        {
            return;
        }
        if (session.state() == KvClientSession.State.COMPLETED)
        {
            complete(nowNs, session.response());
        }
        else
        {
            sendIfReady(nowNs);
        }
    }

    private void complete(final long nowNs, final KvResponseFlyweight response)
    {
        final KvStatus status = response.status();
        final Result result = switch (status)
        {
            case OK -> KvResult.OK;
            case FAIL -> KvResult.FAIL;
            case MISSING -> KvResult.MISSING;
            case VALUE -> KvResult.value(response.payloadString());
            default -> throw sim.failure("client " + index + " got " + status + " for " + operation + ": " +
                (status == KvStatus.ERROR ? response.payloadString() : ""));
        };
        if (!(operation instanceof KvOperation.Get))
        {
            sim.onAcknowledged(session.clientId(), session.sequence(), response.index());
        }
        final int key = Integer.parseInt(operation.key().substring(1));
        if (result instanceof KvResult.Value value)
        {
            lastValueSeen[key] = value.value();
        }
        sim.history().complete(historyId, result, nowNs);
        completed++;
        finish(nowNs);
    }

    private void finish(final long nowNs)
    {
        operation = null;
        nextStartNs = nowNs + random.nextInt(4) * ChainControlSim.MS;
    }

    private KvOperation nextOperation()
    {
        final int key = random.nextInt(KEYS);
        final String name = "k" + key;
        if (random.nextInt(100) >= 50)
        {
            return KvOperation.get(name);
        }
        final String value = "c" + index + "v" + ++valueCounter;
        final int roll = random.nextInt(100);
        if (roll < 25)
        {
            final String expected = lastValueSeen[key] == null ? "c" + index + "v0" : lastValueSeen[key];
            return KvOperation.cas(name, expected, value);
        }
        if (roll < 35)
        {
            return KvOperation.delete(name);
        }
        lastValueSeen[key] = value;
        return KvOperation.put(name, value);
    }

    private static io.conduit.kv.KvOperation toRequest(final KvOperation operation)
    {
        if (operation instanceof KvOperation.Put put)
        {
            return io.conduit.kv.KvOperation.put(put.key(), put.value());
        }
        if (operation instanceof KvOperation.Get get)
        {
            return io.conduit.kv.KvOperation.get(get.key());
        }
        if (operation instanceof KvOperation.Cas cas)
        {
            return io.conduit.kv.KvOperation.cas(cas.key(), cas.expected(), cas.update());
        }
        return io.conduit.kv.KvOperation.delete(operation.key());
    }

    @Override
    public String toString()
    {
        return "client " + index + (operation == null ? " idle" : " #" + session.sequence() + " " + operation +
            " " + session.state() + " target " + session.targetNode()) + ", " + completed + " done, " + gaveUp +
            " given up";
    }
}
