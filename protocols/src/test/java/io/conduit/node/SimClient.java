package io.conduit.node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.linearizability.KvResult;
import io.conduit.linearizability.Result;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A simulated {@code conduit kv} client with a session: one request at a time under a fresh sequence, retried under
 * the same sequence after a timeout, NOT_LEADER (to the hinted leader, else the next member) or RETRY, abandoned at
 * a deadline (left open in the history: its outcome is unknown). Every final answer is checked against the
 * {@link LogOracle} and recorded in the history; sequential clients carry the highest index seen as their minIndex.
 */
final class SimClient
{
    static final long ATTEMPT_TIMEOUT_TICKS = 30;
    static final long GIVE_UP_TICKS = 200;

    /** One response, for focused tests. */
    record Answer(KvStatus status, long index, String value, long leaderHint, int replica, long sequence)
    {
    }

    private final KvClusterSim sim;
    private final int number;
    private final long clientId;
    private final Consistency consistency;
    private final SplittableRandom random;
    private final int keyCount;
    private final KvRequestFlyweight requestFlyweight = new KvRequestFlyweight();
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private final UnsafeBuffer requestBuffer;
    private final Map<String, String> lastSeen = new HashMap<>();
    private final List<Answer> answers = new ArrayList<>();

    private long attemptTimeoutNs = ATTEMPT_TIMEOUT_TICKS * KvClusterSim.TICK_NS;
    private long giveUpAfterNs = GIVE_UP_TICKS * KvClusterSim.TICK_NS;
    private boolean workload;
    private boolean waiting;
    private long sequence;
    private KvOperation operation;
    private io.conduit.linearizability.KvOperation checked;
    private int historyId = -1;
    private int requestLength;
    private int target;
    private long attemptDeadlineNs;
    private long giveUpNs;
    private long resendAtNs = Long.MAX_VALUE;
    private long idleUntilNs;
    private int consecutiveRetries;
    private long maxSeenIndex;
    private long minIndexSent;
    private long invokedNs;
    private long completed;
    private long markNs = Long.MIN_VALUE;
    private boolean completedSinceMark;
    private long gaveUp;

    SimClient(final KvClusterSim sim, final int number, final Consistency consistency, final long seed,
        final int keyCount)
    {
        this.sim = sim;
        this.number = number;
        this.clientId = 1000L + number;
        this.consistency = consistency;
        this.random = new SplittableRandom(seed);
        this.keyCount = keyCount;
        this.requestBuffer = new UnsafeBuffer(new byte[KvRequestFlyweight.maxLength(sim.kvConfig())]);
        this.target = 1 + random.nextInt(sim.size());
    }

    /** Keeps issuing random operations, a few ticks apart. */
    SimClient workload(final boolean enabled)
    {
        workload = enabled;
        return this;
    }

    /** Changes how long one attempt and the whole operation may take, in ticks. */
    SimClient timeouts(final long attemptTicks, final long giveUpTicks)
    {
        attemptTimeoutNs = attemptTicks * KvClusterSim.TICK_NS;
        giveUpAfterNs = giveUpTicks * KvClusterSim.TICK_NS;
        return this;
    }

    SimClient target(final int memberId)
    {
        target = memberId;
        return this;
    }

    /** Starts one operation now under the next sequence. */
    void submit(final KvOperation op)
    {
        if (waiting)
        {
            throw new IllegalStateException("client " + number + " already has a request outstanding");
        }
        sequence++;
        operation = op;
        answers.clear();
        requestLength = KvRequestFlyweight.encode(requestBuffer, 0, clientId, sequence, consistency, 0, op);
        checked = toChecked(op);
        invokedNs = sim.nowNs();
        historyId = checked == null ? -1 : sim.history().invoke(number, checked, invokedNs);
        waiting = true;
        giveUpNs = invokedNs + giveUpAfterNs;
        consecutiveRetries = 0;
        send();
    }

    /** Sends the current request again, under the same sequence, as a client that timed out would. */
    void resendNow()
    {
        send();
    }

    void onTick(final long nowNs)
    {
        if (waiting)
        {
            if (nowNs - giveUpNs >= 0)
            {
                waiting = false;
                gaveUp++;
                idleUntilNs = nowNs + random.nextInt(5) * KvClusterSim.TICK_NS;
            }
            else if (nowNs - resendAtNs >= 0)
            {
                send();
            }
            else if (nowNs - attemptDeadlineNs >= 0)
            {
                target = next(target);
                send();
            }
        }
        else if (workload && nowNs - idleUntilNs >= 0)
        {
            submit(nextOperation());
        }
    }

    private void send()
    {
        requestFlyweight.wrap(requestBuffer, 0, requestLength);
        if (consistency == Consistency.SEQUENTIAL)
        {
            requestFlyweight.minIndex(maxSeenIndex);
        }
        minIndexSent = requestFlyweight.minIndex();
        attemptDeadlineNs = sim.nowNs() + attemptTimeoutNs;
        resendAtNs = Long.MAX_VALUE;
        sim.sendRequest(this, target, requestBuffer, requestLength);
    }

    void onResponse(final long nowNs, final int replica, final byte[] bytes)
    {
        response.wrap(new UnsafeBuffer(bytes), 0, bytes.length);
        final int valid = response.validate(sim.kvConfig());
        if (valid < 0)
        {
            throw new AssertionError("member " + replica + " sent an invalid response: " + valid);
        }
        if (response.clientId() != clientId)
        {
            // Each client has its own links, so anything else on them is a member answering the wrong client.
            throw new AssertionError("client " + clientId + " got a response for client " + response.clientId() +
                " from member " + replica);
        }
        if (!waiting || response.sequence() != sequence)
        {
            return; // an answer to an earlier attempt of a request already finished
        }
        final KvStatus status = response.status();
        final String value = status == KvStatus.VALUE ? response.payloadString() : null;
        answers.add(new Answer(status, response.index(), value, response.leaderHint(), replica, sequence));
        switch (status)
        {
            case NOT_LEADER -> redirect(nowNs, replica, (int)response.leaderHint());
            case RETRY -> retryLater(nowNs);
            case OK, VALUE, MISSING, FAIL -> complete(nowNs, status, response.index(), value, replica);
            default -> throw new AssertionError("client " + number + " got " + status + " for " + operation +
                " from member " + replica + ": " + (status == KvStatus.ERROR ? response.payloadString() : ""));
        }
    }

    private void redirect(final long nowNs, final int replica, final int hint)
    {
        target = hint != 0 && hint != replica ? hint : next(replica);
        resendAtNs = nowNs + KvClusterSim.TICK_NS;
    }

    private void retryLater(final long nowNs)
    {
        if (++consecutiveRetries >= 2)
        {
            consecutiveRetries = 0;
            target = next(target);
        }
        resendAtNs = nowNs + 2 * KvClusterSim.TICK_NS;
    }

    private void complete(
        final long nowNs, final KvStatus status, final long index, final String value, final int replica)
    {
        sim.checkAnswer(this, replica, status, index, value);
        if (historyId >= 0)
        {
            sim.history().complete(historyId, toResult(status, value), nowNs);
        }
        maxSeenIndex = Math.max(maxSeenIndex, index);
        remember(status, value);
        waiting = false;
        completed++;
        completedSinceMark |= invokedNs >= markNs;
        idleUntilNs = nowNs + random.nextInt(5) * KvClusterSim.TICK_NS;
    }

    private void remember(final KvStatus status, final String value)
    {
        final String key = key();
        switch (operation.op())
        {
            case PUT -> lastSeen.put(key, ascii(operation.value()));
            case CAS -> lastSeen.put(key, status == KvStatus.OK ? ascii(operation.value()) : null);
            case DELETE -> lastSeen.remove(key);
            case GET -> lastSeen.put(key, value);
            default -> lastSeen.remove(key);
        }
    }

    private KvOperation nextOperation()
    {
        final String key = "k" + random.nextInt(keyCount);
        final String value = "c" + number + "s" + (sequence + 1);
        final int roll = random.nextInt(100);
        if (roll < 40)
        {
            return KvOperation.get(key);
        }
        if (roll < 70)
        {
            return KvOperation.put(key, value);
        }
        if (roll < 90)
        {
            final String expected = lastSeen.get(key);
            return KvOperation.cas(key, expected == null ? "none" : expected, value);
        }
        return KvOperation.delete(key);
    }

    /** Writes always, gets only when linearizable: other levels are not meant to be linearizable. */
    private io.conduit.linearizability.KvOperation toChecked(final KvOperation op)
    {
        final String key = ascii(op.key());
        return switch (op.op())
        {
            case PUT -> io.conduit.linearizability.KvOperation.put(key, ascii(op.value()));
            case CAS -> io.conduit.linearizability.KvOperation.cas(key, ascii(op.expected()), ascii(op.value()));
            case DELETE -> io.conduit.linearizability.KvOperation.delete(key);
            case GET -> consistency == Consistency.LINEARIZABLE ? io.conduit.linearizability.KvOperation.get(key) :
                null;
            default -> null;
        };
    }

    private static Result toResult(final KvStatus status, final String value)
    {
        return switch (status)
        {
            case OK -> KvResult.OK;
            case FAIL -> KvResult.FAIL;
            case MISSING -> KvResult.MISSING;
            case VALUE -> KvResult.value(value);
            default -> throw new AssertionError("not a final answer: " + status);
        };
    }

    private int next(final int memberId)
    {
        return memberId % sim.size() + 1;
    }

    private static String ascii(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Marks the present: {@link #completedSinceMark()} counts only operations invoked from now on. */
    void mark()
    {
        markNs = sim.nowNs();
        completedSinceMark = false;
    }

    /** Whether an operation invoked at or after the last {@link #mark()} completed. */
    boolean completedSinceMark()
    {
        return completedSinceMark;
    }

    int number()
    {
        return number;
    }

    long clientId()
    {
        return clientId;
    }

    long sequence()
    {
        return sequence;
    }

    Consistency consistency()
    {
        return consistency;
    }

    KvOperation operation()
    {
        return operation;
    }

    String key()
    {
        return ascii(operation.key());
    }

    boolean isWaiting()
    {
        return waiting;
    }

    /** The minIndex the latest attempt carried. */
    long minIndexSent()
    {
        return minIndexSent;
    }

    long maxSeenIndex()
    {
        return maxSeenIndex;
    }

    /** Every response to the current (or last) operation, in arrival order. */
    List<Answer> answers()
    {
        return answers;
    }

    Answer lastAnswer()
    {
        return answers.isEmpty() ? null : answers.get(answers.size() - 1);
    }

    long completed()
    {
        return completed;
    }

    long gaveUp()
    {
        return gaveUp;
    }

    boolean isReadOnly()
    {
        return operation != null && operation.op() == KvOp.GET;
    }
}
