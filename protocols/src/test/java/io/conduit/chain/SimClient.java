package io.conduit.chain;

import java.util.SplittableRandom;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.linearizability.KvOperation;
import io.conduit.linearizability.KvResult;
import io.conduit.linearizability.Result;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client with a session, as the kv contract describes one: one request at a time, numbered from 1; a retry
 * (after a timeout, NOT_LEADER or RETRY) repeats the same sequence number, so the state machine applies it at most
 * once; after its deadline the client gives up and the operation stays open in the history. Writes go to the head
 * it believes in, reads to the tail (or, with CRAQ, to any member); on a timeout or a hintless redirect it asks the
 * configuration oracle, as a real client would ask the configuration manager.
 */
final class SimClient
{
    /**
     * What the client does.
     *
     * @param keys                how many keys it works on (shared by all clients, so they conflict).
     * @param writePercent        share of writes; the rest are gets.
     * @param casPercent          share of cas among writes.
     * @param deletePercent       share of delete among writes.
     * @param maxThinkTicks       pause between operations, uniform in [0, max].
     * @param attemptTimeoutTicks how long an attempt may go unanswered before the client retries.
     * @param giveUpTicks         how long after invoking the client gives up (the operation stays open).
     * @param craqReads           whether reads go to any member rather than the tail.
     */
    record Workload(
        int keys,
        int writePercent,
        int casPercent,
        int deletePercent,
        int maxThinkTicks,
        int attemptTimeoutTicks,
        int giveUpTicks,
        boolean craqReads)
    {
        static Workload mixed(final boolean craqReads)
        {
            return new Workload(3, 50, 25, 10, 3, 60, 2_000, craqReads);
        }

        Workload withGiveUpTicks(final int ticks)
        {
            return new Workload(keys, writePercent, casPercent, deletePercent, maxThinkTicks, attemptTimeoutTicks,
                ticks, craqReads);
        }
    }

    private final ChainSimCluster sim;
    private final int index;
    private final long clientId;
    private final Workload workload;
    private final SplittableRandom random;
    private final String[] lastValueSeen;
    private final UnsafeBuffer requestBuffer = new UnsafeBuffer(new byte[4096]);
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private final UnsafeBuffer responseView = new UnsafeBuffer(new byte[0]);

    private boolean stopped;
    private long nextSequence = 1;
    private long nextStartTick;
    private int valueCounter;

    private KvOperation operation;
    private byte[] request;
    private long sequence;
    private int historyId;
    private long giveUpAtTick;
    private long attemptDeadlineTick;
    private long retryAtTick;
    private int hintedTarget;
    private ChainConfiguration view;

    private int completed;
    private int gaveUp;
    private int attempts;

    SimClient(final ChainSimCluster sim, final int index, final Workload workload, final SplittableRandom random)
    {
        this.sim = sim;
        this.index = index;
        this.clientId = 1_000 + index;
        this.workload = workload;
        this.random = random;
        this.lastValueSeen = new String[workload.keys()];
    }

    int completed()
    {
        return completed;
    }

    int gaveUp()
    {
        return gaveUp;
    }

    int attempts()
    {
        return attempts;
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

    void onTick()
    {
        final long tick = sim.tick();
        if (operation == null)
        {
            if (!stopped && tick >= nextStartTick)
            {
                start();
            }
            return;
        }
        if (tick >= giveUpAtTick)
        {
            gaveUp++;
            sim.note("client " + index + " gives up #" + sequence + " " + operation);
            finish();
            return;
        }
        if ((retryAtTick != 0 && tick >= retryAtTick) || tick >= attemptDeadlineTick)
        {
            if (tick >= attemptDeadlineTick)
            {
                view = null;
            }
            attempt();
        }
    }

    private void start()
    {
        operation = nextOperation();
        sequence = nextSequence++;
        final int length = KvRequestFlyweight.encode(requestBuffer, 0, clientId, sequence, Consistency.LINEARIZABLE,
            0, toRequest(operation));
        request = new byte[length];
        requestBuffer.getBytes(0, request);
        historyId = sim.history().invoke(index, operation, sim.nowNs());
        giveUpAtTick = sim.tick() + workload.giveUpTicks();
        view = null;
        hintedTarget = 0;
        attempt();
    }

    private void attempt()
    {
        retryAtTick = 0;
        if (view == null)
        {
            view = sim.latest();
        }
        final int target;
        if (hintedTarget != 0)
        {
            target = hintedTarget;
            hintedTarget = 0;
        }
        else if (isWrite(operation))
        {
            target = view.head();
        }
        else
        {
            target = workload.craqReads() ? view.member(random.nextInt(view.size())) : view.tail();
        }
        attempts++;
        attemptDeadlineTick = sim.tick() + workload.attemptTimeoutTicks();
        sim.sendRequest(index, target, request);
    }

    void onResponse(final byte[] bytes)
    {
        responseView.wrap(bytes);
        response.wrap(responseView, 0, bytes.length);
        if (response.validate(KvConfig.DEFAULT) < 0)
        {
            throw sim.failure("client " + index + " got an invalid response");
        }
        if (operation == null || response.clientId() != clientId || response.sequence() != sequence)
        {
            return;
        }
        final KvStatus status = response.status();
        switch (status)
        {
            case NOT_LEADER ->
            {
                hintedTarget = (int)response.leaderHint();
                view = hintedTarget == 0 ? null : view;
                retryAtTick = sim.tick() + 1;
            }
            case RETRY ->
            {
                view = null;
                retryAtTick = sim.tick() + 2 + random.nextInt(6);
            }
            case ERROR -> throw sim.failure("client " + index + " #" + sequence + " " + operation + " got ERROR: " +
                response.payloadString());
            default -> complete(status);
        }
    }

    private void complete(final KvStatus status)
    {
        final Result result = switch (status)
        {
            case OK -> KvResult.OK;
            case FAIL -> KvResult.FAIL;
            case MISSING -> KvResult.MISSING;
            case VALUE -> KvResult.value(response.payloadString());
            default -> throw sim.failure("client " + index + " got " + status + " for " + operation);
        };
        if (isWrite(operation))
        {
            sim.onAcknowledged(clientId, sequence, response.index());
        }
        final int key = Integer.parseInt(operation.key().substring(1));
        if (result instanceof KvResult.Value value)
        {
            lastValueSeen[key] = value.value();
        }
        sim.history().complete(historyId, result, sim.nowNs());
        completed++;
        finish();
    }

    private void finish()
    {
        operation = null;
        request = null;
        nextStartTick = sim.tick() + random.nextInt(workload.maxThinkTicks() + 1);
    }

    private KvOperation nextOperation()
    {
        final int key = random.nextInt(workload.keys());
        final String name = "k" + key;
        if (random.nextInt(100) >= workload.writePercent())
        {
            return KvOperation.get(name);
        }
        final String value = "c" + index + "v" + ++valueCounter;
        final int roll = random.nextInt(100);
        if (roll < workload.casPercent())
        {
            final String expected = lastValueSeen[key] == null ? "c" + index + "v0" : lastValueSeen[key];
            return KvOperation.cas(name, expected, value);
        }
        if (roll < workload.casPercent() + workload.deletePercent())
        {
            return KvOperation.delete(name);
        }
        lastValueSeen[key] = value;
        return KvOperation.put(name, value);
    }

    private static boolean isWrite(final KvOperation operation)
    {
        return !(operation instanceof KvOperation.Get);
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
        return "client " + index + (operation == null ? " idle" : " #" + sequence + " " + operation) + ", " +
            completed + " done, " + gaveUp + " given up";
    }
}
