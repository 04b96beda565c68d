package io.conduit.kv.client;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;

/**
 * One client of the key-value store as a pure state machine: which node to ask, when to give up on it, what to do
 * with each answer. The edge (a blocking client over sockets, or a simulator) owns the links to the nodes and feeds
 * this class what happens; it never touches a socket or a clock.
 *
 * <h2>Contract</h2>
 * Nodes are the indexes 0..n-1 of the addresses the client was given. Inputs take {@code nowNs}:
 * {@link #start} a command; {@link #onSent} when the request went out to {@link #targetNode()};
 * {@link #onResponse} for every message a node sends; {@link #onNodeIdentified} when a node's hello reply names its
 * member id; {@link #onNodeUnavailable} when a link failed or could not be opened; {@link #onTimer} whenever
 * {@link #nextDeadlineNs()} has passed. Outputs: {@link #state()}; in {@link State#READY_TO_SEND} the request
 * ({@link #requestBuffer()}, {@link #requestLength()}) goes to {@link #targetNode()}; in {@link State#COMPLETED}
 * {@link #response()} holds the final answer; {@link State#TIMED_OUT} means the outcome is unknown.
 *
 * <h2>Exactly once</h2>
 * The client id is a random non-zero 64-bit number from the injected generator; each command takes the next
 * sequence number and keeps it through every retry, so the store's session table (Raft dissertation §6.3) applies a
 * retried command once and answers the retry with the stored response. NOT_LEADER and RETRY are never final: the
 * same request goes elsewhere (the hinted leader, or the next node) until a final status or the deadline.
 *
 * <h2>Leaders and reads</h2>
 * Leader hints are member ids; nodes name theirs in the hello reply, so a hint is followed once that node is known.
 * A node that answers a write or a linearizable read with a final status led when it answered and is asked first
 * next time. Every answer's index raises {@link #minIndex()}, which each request carries, so sequential reads
 * (§10.3.2) never go back in time for this client.
 */
public final class KvClientSession
{
    /** Where the current command stands. */
    public enum State
    {
        /** No command yet. */
        IDLE,
        /** The request should go to {@link #targetNode()} now (connecting to it if need be). */
        READY_TO_SEND,
        /** Sent to {@link #targetNode()}; waiting for its answer. */
        AWAITING_RESPONSE,
        /** Waiting before the next attempt: after RETRY, or after a whole round of tries without an answer. */
        BACKING_OFF,
        /** A final status arrived: {@link #response()}. */
        COMPLETED,
        /** The deadline passed without a final status: the outcome is unknown. */
        TIMED_OUT
    }

    /** Which nodes {@link #nextInTurn} looks for. */
    private enum Preference
    {
        IDENTIFIED, UNIDENTIFIED, ANY
    }

    private static final State[] STATES = State.values();
    private static final boolean[][] ALLOWED = allowedTransitions();

    private final KvClientConfig config;
    private final KvConfig kvConfig;
    private final Consistency consistency;
    private final long clientId;
    private final int nodeCount;
    private final int[] memberIdOfNode;
    private final long[] skipUntilNs;
    private final boolean[] skipped;
    private final UnsafeBuffer requestBuffer;
    private final UnsafeBuffer responseBuffer;
    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private final KvResponseFlyweight incoming = new KvResponseFlyweight();
    private final long[] transitions = new long[STATES.length];
    private State state = State.IDLE;
    private KvOp op;
    private int requestLength;
    private long sequence;
    private long minIndex;
    private long deadlineNs;
    private long attemptDeadlineNs;
    private long backoffUntilNs;
    private int targetNode = -1;
    private int cursor;
    private int leaderNode = -1;
    private long leaderMemberId;
    private int attemptsSinceBackoff;
    private long attempts;

    /**
     * @param nodeCount   how many node addresses the client knows (at least 1).
     * @param consistency the read consistency of every get.
     * @param random      the source of the client id (seeded in tests and simulations).
     */
    public KvClientSession(final int nodeCount, final Consistency consistency, final KvClientConfig config,
        final RandomGenerator random)
    {
        if (nodeCount < 1)
        {
            throw new IllegalArgumentException("need at least one node, was " + nodeCount);
        }
        this.config = config.validate();
        this.kvConfig = config.kvConfig();
        this.consistency = consistency;
        this.nodeCount = nodeCount;
        this.memberIdOfNode = new int[nodeCount];
        this.skipUntilNs = new long[nodeCount];
        this.skipped = new boolean[nodeCount];
        this.requestBuffer = new UnsafeBuffer(new byte[KvRequestFlyweight.maxLength(kvConfig)]);
        this.responseBuffer = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(kvConfig)]);
        long id;
        do
        {
            id = random.nextLong();
        }
        while (id == 0);
        this.clientId = id;
    }

    // ------------------------------------------------------------- inputs

    /**
     * Starts a command with a fresh sequence number; the previous one must be finished.
     *
     * @return the request's length, or a negative {@link io.conduit.kv.KvCodecError} when the operation breaks the
     *         store's limits (nothing is started and no sequence is used: certainly not applied).
     */
    public int start(final long nowNs, final KvOperation operation, final long timeoutNs)
    {
        if (isBusy())
        {
            throw new IllegalStateException("a command is in progress: " + state);
        }
        if (operation.encodedLength() > requestBuffer.capacity())
        {
            return io.conduit.kv.KvCodecError.TOO_LONG;
        }
        final int length = KvRequestFlyweight.encode(requestBuffer, 0, clientId, sequence + 1, consistency,
            minIndex, operation);
        final int valid = request.wrap(requestBuffer, 0, length).validate(kvConfig);
        if (valid < 0)
        {
            return valid;
        }
        sequence++;
        attempts = 0;
        attemptsSinceBackoff = 0;
        op = operation.op();
        requestLength = length;
        deadlineNs = nowNs + timeoutNs;
        targetNode = -1;
        chooseTarget(nowNs, "start");
        return length;
    }

    /** The request went out to {@link #targetNode()}. */
    public void onSent(final long nowNs, final int node)
    {
        if (state != State.READY_TO_SEND || node != targetNode)
        {
            throw new IllegalStateException("sent to node " + node + " in " + state + " (target " + targetNode + ")");
        }
        attempts++;
        attemptDeadlineNs = nowNs + config.attemptTimeoutNs();
        state(State.AWAITING_RESPONSE, "sent");
    }

    /** A node's hello reply named its member id; a pending leader hint may now point at it. */
    public void onNodeIdentified(final int node, final int memberId)
    {
        memberIdOfNode[node] = memberId;
        if (leaderMemberId != 0 && memberId == leaderMemberId)
        {
            leaderNode = node;
        }
        else if (leaderNode == node && leaderMemberId != 0 && memberId != leaderMemberId)
        {
            leaderNode = -1;
        }
    }

    /**
     * The link to {@code node} failed or could not be opened: skip it for a while and, if the current attempt was
     * there, try the next node with the same sequence (the command may or may not have reached it).
     */
    public void onNodeUnavailable(final long nowNs, final int node)
    {
        skip(nowNs, node);
        if ((state == State.READY_TO_SEND || state == State.AWAITING_RESPONSE) && node == targetNode)
        {
            chooseTarget(nowNs, "node unavailable");
        }
    }

    /**
     * Any message a node sent to this client. Answers to other clients or earlier sequences, and garbage, are
     * ignored.
     *
     * @return true when it answered the current command (final or not).
     */
    public boolean onResponse(final long nowNs, final int node, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (!isBusy() || incoming.wrap(buffer, offset, length).validate(kvConfig) < 0 ||
            incoming.clientId() != clientId || incoming.sequence() != sequence)
        {
            return false;
        }
        final KvStatus status = incoming.status();
        if (status.isFinal())
        {
            complete(node, buffer, offset, length);
        }
        else if (status == KvStatus.NOT_LEADER)
        {
            notLeader(nowNs, node, incoming.leaderHint());
        }
        else if (node == targetNode && state == State.AWAITING_RESPONSE)
        {
            backOff(nowNs + config.retryBackoffNs(), "retry");
        }
        return true;
    }

    /** Call when {@link #nextDeadlineNs()} has passed (calling earlier is harmless). */
    public void onTimer(final long nowNs)
    {
        if (!isBusy())
        {
            return;
        }
        if (nowNs - deadlineNs >= 0)
        {
            state(State.TIMED_OUT, "deadline");
            return;
        }
        if (state == State.BACKING_OFF && nowNs - backoffUntilNs >= 0)
        {
            chooseTarget(nowNs, "backoff over");
        }
        else if ((state == State.READY_TO_SEND || state == State.AWAITING_RESPONSE) &&
            nowNs - attemptDeadlineNs >= 0)
        {
            // Unreachable or silent (e.g. a deposed leader cut off from the majority): try the others first.
            if (leaderNode == targetNode)
            {
                leaderNode = -1;
            }
            skip(nowNs, targetNode);
            chooseTarget(nowNs, "attempt timed out");
        }
    }

    // ------------------------------------------------------------- outputs

    public State state()
    {
        return state;
    }

    /** A command is started and not yet finished. */
    public boolean isBusy()
    {
        return state == State.READY_TO_SEND || state == State.AWAITING_RESPONSE || state == State.BACKING_OFF;
    }

    /** The earliest time {@link #onTimer} has something to do; {@link Long#MAX_VALUE} when no command is busy. */
    public long nextDeadlineNs()
    {
        switch (state)
        {
            case READY_TO_SEND:
            case AWAITING_RESPONSE:
                return earlier(deadlineNs, attemptDeadlineNs);
            case BACKING_OFF:
                return earlier(deadlineNs, backoffUntilNs);
            default:
                return Long.MAX_VALUE;
        }
    }

    /** The node the request should go to (READY_TO_SEND) or went to (AWAITING_RESPONSE); else -1. */
    public int targetNode()
    {
        return state == State.READY_TO_SEND || state == State.AWAITING_RESPONSE ? targetNode : -1;
    }

    /** The current request; the same bytes on every attempt. */
    public DirectBuffer requestBuffer()
    {
        return requestBuffer;
    }

    public int requestLength()
    {
        return requestLength;
    }

    /** The final answer, valid in {@link State#COMPLETED} until the next {@link #start}. */
    public KvResponseFlyweight response()
    {
        if (state != State.COMPLETED)
        {
            throw new IllegalStateException("no final response in " + state);
        }
        return response;
    }

    public long clientId()
    {
        return clientId;
    }

    /** The current (or last) command's sequence number; 0 before the first. */
    public long sequence()
    {
        return sequence;
    }

    /** The highest log index any answer has shown this client; never decreases. */
    public long minIndex()
    {
        return minIndex;
    }

    public Consistency consistency()
    {
        return consistency;
    }

    public int nodeCount()
    {
        return nodeCount;
    }

    /** The node believed to lead, or -1. */
    public int leaderNode()
    {
        return leaderNode;
    }

    /** The member id a node named in its hello reply, or 0 while unknown. */
    public int memberIdOfNode(final int node)
    {
        return memberIdOfNode[node];
    }

    /** Times the current command's request was sent (1 when the first node answered). */
    public long attempts()
    {
        return attempts;
    }

    /** How often the session entered {@code state}; for tests and statistics. */
    public long transitionsInto(final State into)
    {
        return transitions[into.ordinal()];
    }

    // ------------------------------------------------------------- decisions

    private void complete(final int node, final DirectBuffer buffer, final int offset, final int length)
    {
        responseBuffer.putBytes(0, buffer, offset, length);
        response.wrap(responseBuffer, 0, length);
        final KvStatus status = response.status();
        if (status != KvStatus.ERROR)
        {
            minIndex = Math.max(minIndex, response.index());
            // Only the leader applies writes and serves linearizable reads, so this node led when it answered.
            if (op != KvOp.GET || consistency == Consistency.LINEARIZABLE)
            {
                leaderNode = node;
                leaderMemberId = memberIdOfNode[node];
            }
        }
        state(State.COMPLETED, "final status");
    }

    private void notLeader(final long nowNs, final int node, final long hint)
    {
        if (hint > 0)
        {
            leaderMemberId = hint;
            leaderNode = nodeOfMember(hint);
        }
        else if (leaderNode == node)
        {
            leaderNode = -1;
            leaderMemberId = 0;
        }
        if (node == targetNode && state == State.AWAITING_RESPONSE)
        {
            if (leaderNode == node)
            {
                leaderNode = -1;
            }
            chooseTarget(nowNs, "not leader");
        }
    }

    /**
     * Picks the next node (see {@link #pickNode}). After a whole round of tries without a final answer it backs off
     * first, which bounds the rate of attempts whatever the nodes answer.
     */
    private void chooseTarget(final long nowNs, final String reason)
    {
        if (attemptsSinceBackoff >= nodeCount)
        {
            backOff(nowNs + config.retryBackoffNs(), reason);
            return;
        }
        final int node = pickNode(nowNs);
        if (node != leaderNode)
        {
            cursor = (node + 1) % nodeCount;
        }
        attemptsSinceBackoff++;
        targetNode = node;
        attemptDeadlineNs = nowNs + config.attemptTimeoutNs();
        state(State.READY_TO_SEND, reason);
    }

    /**
     * The known leader unless it is being skipped; else the next node in turn other than the one just tried,
     * preferring nodes that have named themselves (their link works) or, while a hinted leader is not among them,
     * nodes that have not (it must be one of those); else the node just tried; else, with every node skipped, the
     * one whose skip ends first.
     */
    private int pickNode(final long nowNs)
    {
        if (leaderNode >= 0 && isAvailable(nowNs, leaderNode))
        {
            return leaderNode;
        }
        final boolean hintUnresolved = leaderMemberId != 0 && nodeOfMember(leaderMemberId) < 0;
        int node = nextInTurn(nowNs, hintUnresolved ? Preference.UNIDENTIFIED : Preference.IDENTIFIED, targetNode);
        node = node >= 0 ? node : nextInTurn(nowNs, Preference.ANY, targetNode);
        node = node >= 0 ? node : nextInTurn(nowNs, Preference.ANY, -1);
        return node >= 0 ? node : earliestSkipEndNode();
    }

    private int nextInTurn(final long nowNs, final Preference preference, final int avoid)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            final int node = (cursor + i) % nodeCount;
            final boolean identified = memberIdOfNode[node] != 0;
            if (node != avoid && isAvailable(nowNs, node) && (preference == Preference.ANY ||
                identified == (preference == Preference.IDENTIFIED)))
            {
                return node;
            }
        }
        return -1;
    }

    private boolean isAvailable(final long nowNs, final int node)
    {
        if (skipped[node] && nowNs - skipUntilNs[node] >= 0)
        {
            skipped[node] = false;
        }
        return !skipped[node];
    }

    private void skip(final long nowNs, final int node)
    {
        skipped[node] = true;
        skipUntilNs[node] = nowNs + config.nodeBackoffNs();
    }

    private int earliestSkipEndNode()
    {
        int earliest = 0;
        for (int node = 1; node < nodeCount; node++)
        {
            if (skipUntilNs[node] - skipUntilNs[earliest] < 0)
            {
                earliest = node;
            }
        }
        return earliest;
    }

    private void backOff(final long untilNs, final String reason)
    {
        attemptsSinceBackoff = 0;
        backoffUntilNs = untilNs;
        state(State.BACKING_OFF, reason);
    }

    private int nodeOfMember(final long memberId)
    {
        for (int node = 0; node < nodeCount; node++)
        {
            if (memberIdOfNode[node] == memberId)
            {
                return node;
            }
        }
        return -1;
    }

    /** The one funnel for state changes: checks the move, counts it, throws on an illegal one. */
    private void state(final State next, final String reason)
    {
        if (!ALLOWED[state.ordinal()][next.ordinal()])
        {
            throw new IllegalStateException("illegal transition " + state + " -> " + next + " (" + reason + ")");
        }
        transitions[next.ordinal()]++;
        state = next;
    }

    private static long earlier(final long a, final long b)
    {
        return a - b <= 0 ? a : b;
    }

    private static boolean[][] allowedTransitions()
    {
        final boolean[][] allowed = new boolean[STATES.length][STATES.length];
        for (final State from : new State[]{State.IDLE, State.COMPLETED, State.TIMED_OUT})
        {
            allow(allowed, from, State.READY_TO_SEND, State.BACKING_OFF);
        }
        for (final State from : new State[]{State.READY_TO_SEND, State.AWAITING_RESPONSE, State.BACKING_OFF})
        {
            allow(allowed, from, State.READY_TO_SEND, State.BACKING_OFF, State.COMPLETED, State.TIMED_OUT);
        }
        allow(allowed, State.READY_TO_SEND, State.AWAITING_RESPONSE);
        return allowed;
    }

    private static void allow(final boolean[][] allowed, final State from, final State... to)
    {
        Arrays.stream(to).forEach(next -> allowed[from.ordinal()][next.ordinal()] = true);
    }
}
