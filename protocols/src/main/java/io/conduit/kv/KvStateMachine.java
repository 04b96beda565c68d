package io.conduit.kv;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The replicated key-value store: a deterministic function from the committed command sequence to state and
 * client responses. Every replica applies the same log and so answers the same; the leader's answer goes back to
 * the client. Single-threaded (the engine's thread), pure (no clock: time comes stamped in the commands).
 *
 * <h2>Operations (issue 5's contract)</h2>
 * put → OK; get → VALUE or MISSING; cas → OK when the current value equals EXPECTED (it becomes NEW), else FAIL,
 * also when the key is absent; delete → OK whether or not the key existed; lease → OK with a fencing token, or
 * HELD with the current holder. Lease names are their own namespace, apart from keys. Responses carry the entry's
 * index so sequential clients can carry it forward.
 *
 * <h2>Exactly once (Raft dissertation §6.3)</h2>
 * A client sends one request at a time, numbered 1, 2, 3, ... under its client id. Per client the machine keeps
 * the highest applied sequence and the response it produced. A command whose sequence equals it (a retry, e.g.
 * re-proposed through a new leader after the first copy was committed) gets the stored response byte for byte,
 * including the original index, and changes nothing. A lower sequence is a delayed duplicate of a request the
 * client has moved past: ERROR "stale sequence", not applied. Errors are not stored, so a request refused with
 * ERROR may be retried under the same sequence.
 * <p>
 * The window: a session is forgotten when {@link KvConfig#sessionExpiryEntries()} entries have been applied since
 * its last use, or when more than {@link KvConfig#maxSessions()} clients have sessions (least recently used
 * first). Eviction happens inside {@code apply}, so it is identical on every replica. A retry that arrives after
 * its session was forgotten is applied again; clients must give up on a request well inside that window (their
 * timeout), which makes the guarantee exactly-once for any client that retries within its deadline.
 *
 * <h2>Leases (design notes §9.2)</h2>
 * Expiry uses only the leader's monotonic clock, as stamped into each command ({@link KvCommandFlyweight}); no
 * replica reads its own clock. Within one term there is one leader and one clock, so a lease granted in the
 * command's own term expires when {@code proposedAtNs - grantNs >= ttl}. Clocks of different leaders cannot be
 * compared, so for a lease granted in an older term the new leader counts the full ttl on its own clock from
 * the first command stamped in its term: the old grant happened before that instant, so it has surely run out by
 * then + ttl, and no one else gets the lease earlier. The old grant is never extended by the new term: its holder
 * cannot renew it into the new term; a request by that holder there is a fresh grant with a fresh token.
 * <p>
 * Fencing tokens are the log index of the grant, so they strictly increase across grants, terms and holders. A
 * renewal (same holder, same term, not yet expired) keeps the token and restarts the ttl from the renewal's stamp;
 * a re-acquisition after expiry, or by the same holder in a later term, is a new grant with a new token, so a
 * resource fenced on tokens notices the holder may have lost the lease in between.
 *
 * <h2>Reads outside the log</h2>
 * {@link #read(KvRequestFlyweight, long, MutableDirectBuffer, int)} answers a get from current state: the engine
 * passes the index the read must reflect (the confirmed ReadIndex for LINEARIZABLE, 0 for EVENTUAL); for
 * SEQUENTIAL the request's own minIndex also applies. A replica behind that index answers RETRY.
 */
public final class KvStateMachine implements ReplicatedStateMachine
{
    private static final long NS_PER_MS = 1_000_000L;
    private static final byte[] NONE = new byte[0];

    private final KvConfig config;
    private final KvCommandFlyweight command = new KvCommandFlyweight();
    private final KvSnapshotCodec snapshotCodec = new KvSnapshotCodec();
    private KvState state = new KvState();

    public KvStateMachine(final KvConfig config)
    {
        this.config = config;
    }

    public KvConfig config()
    {
        return config;
    }

    /** The capacity a response buffer needs. */
    public int responseCapacity()
    {
        return KvResponseFlyweight.maxLength(config);
    }

    @Override
    public int apply(
        final long index,
        final long term,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer out,
        final int outOffset)
    {
        if (index <= state.appliedIndex)
        {
            throw new IllegalStateException("apply index " + index + " <= appliedIndex " + state.appliedIndex);
        }
        if (term < state.appliedTerm)
        {
            throw new IllegalStateException("apply term " + term + " < appliedTerm " + state.appliedTerm);
        }
        state.appliedIndex = index;
        state.appliedTerm = term;
        if (length == 0)
        {
            return 0;
        }
        final int valid = command.wrap(buffer, offset, length).validate(config);
        if (valid < 0)
        {
            return malformed(valid, length, index, out, outOffset);
        }
        final KvRequestFlyweight request = command.request();
        if (command.term() != term)
        {
            // A leader stamps its own term and appends in it; a mismatch is refused identically everywhere.
            return KvResponseFlyweight.encodeError(out, outOffset, request.clientId(), request.sequence(), index,
                "stamped term " + command.term() + " does not match entry term " + term);
        }
        observeClock(term, command.proposedAtNs());
        return applyInSession(index, request, out, outOffset);
    }

    private int malformed(
        final int error, final int length, final long index, final MutableDirectBuffer out, final int outOffset)
    {
        final boolean readable = length >= KvCommandFlyweight.HEADER_LENGTH + KvRequestFlyweight.HEADER_LENGTH;
        final KvRequestFlyweight request = command.request();
        return KvResponseFlyweight.encodeError(out, outOffset, readable ? request.clientId() : 0,
            readable ? request.sequence() : 0, index, "malformed command: " + KvCodecError.describe(error));
    }

    private void observeClock(final long term, final long nowNs)
    {
        if (term > state.clockTerm)
        {
            state.clockTerm = term;
            state.clockTermStartNs = nowNs;
        }
    }

    private int applyInSession(
        final long index, final KvRequestFlyweight request, final MutableDirectBuffer out, final int outOffset)
    {
        final long clientId = request.clientId();
        final long sequence = request.sequence();
        KvState.Session session = state.sessions.get(clientId);
        if (session != null && sequence == session.sequence)
        {
            touch(clientId, session, index);
            out.putBytes(outOffset, session.response);
            return session.response.length;
        }
        if (session != null && sequence < session.sequence)
        {
            return KvResponseFlyweight.encodeError(out, outOffset, clientId, sequence, index,
                "stale sequence " + sequence + " (session at " + session.sequence + ")");
        }
        final int responseLength = execute(index, request, out, outOffset);
        final byte[] response = new byte[responseLength];
        out.getBytes(outOffset, response);
        if (session == null)
        {
            session = new KvState.Session(sequence, index, response);
        }
        session.sequence = sequence;
        session.response = response;
        touch(clientId, session, index);
        evictSessions(index);
        return responseLength;
    }

    /** Moves the session to the most recently used end. */
    private void touch(final long clientId, final KvState.Session session, final long index)
    {
        session.lastIndex = index;
        state.sessions.remove(clientId);
        state.sessions.put(clientId, session);
    }

    private void evictSessions(final long index)
    {
        final Iterator<Map.Entry<Long, KvState.Session>> oldestFirst = state.sessions.entrySet().iterator();
        while (oldestFirst.hasNext())
        {
            final KvState.Session oldest = oldestFirst.next().getValue();
            if (state.sessions.size() <= config.maxSessions() &&
                index - oldest.lastIndex < config.sessionExpiryEntries())
            {
                return;
            }
            oldestFirst.remove();
        }
    }

    private int execute(
        final long index, final KvRequestFlyweight request, final MutableDirectBuffer out, final int outOffset)
    {
        final long clientId = request.clientId();
        final long sequence = request.sequence();
        switch (request.op())
        {
            case PUT:
                state.entries.put(request.keyBytes(), request.valueBytes());
                return KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.OK, index);
            case GET:
                return encodeRead(state.entries.get(request.keyBytes()), clientId, sequence, index, out, outOffset);
            case CAS:
                final byte[] key = request.keyBytes();
                final byte[] current = state.entries.get(key);
                if (current == null || !Arrays.equals(current, request.expectedBytes()))
                {
                    return KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.FAIL, index);
                }
                state.entries.put(key, request.valueBytes());
                return KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.OK, index);
            case DELETE:
                state.entries.remove(request.keyBytes());
                return KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.OK, index);
            case LEASE:
                return lease(index, request, out, outOffset);
            default:
                throw new IllegalStateException("validated request with op " + request.op());
        }
    }

    private int lease(
        final long index, final KvRequestFlyweight request, final MutableDirectBuffer out, final int outOffset)
    {
        final byte[] name = request.keyBytes();
        final byte[] holder = request.holderBytes();
        final long ttlNs = request.ttlMs() * NS_PER_MS;
        final long term = state.clockTerm;
        final long nowNs = command.proposedAtNs();
        final KvState.Lease lease = state.leases.get(name);
        final long token;
        if (lease != null && !isExpired(lease, term, nowNs))
        {
            if (!Arrays.equals(lease.holder, holder))
            {
                return KvResponseFlyweight.encode(out, outOffset, request.clientId(), request.sequence(),
                    KvStatus.HELD, index, 0, 0, lease.holder);
            }
            token = lease.term == term ? lease.token : index;
        }
        else
        {
            token = index;
        }
        state.leases.put(name, new KvState.Lease(holder, token, term, nowNs, ttlNs));
        return KvResponseFlyweight.encode(out, outOffset, request.clientId(), request.sequence(), KvStatus.OK, index,
            token, 0, NONE);
    }

    /**
     * A lease of the current term is measured from its own stamp; one from an older term, whose leader's clock
     * cannot be compared with this one, from the first stamp of the current term (see the class comment).
     */
    private boolean isExpired(final KvState.Lease lease, final long term, final long nowNs)
    {
        final long elapsedNs = lease.term == term ? nowNs - lease.startNs : nowNs - state.clockTermStartNs;
        return elapsedNs >= lease.ttlNs;
    }

    private static int encodeRead(
        final byte[] value,
        final long clientId,
        final long sequence,
        final long index,
        final MutableDirectBuffer out,
        final int outOffset)
    {
        return value == null ?
            KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.MISSING, index) :
            KvResponseFlyweight.encode(out, outOffset, clientId, sequence, KvStatus.VALUE, index, 0, 0, value);
    }

    /**
     * Answers a validated GET from current state without going through the log.
     *
     * @param readIndex the index the answer must reflect: the confirmed ReadIndex for a linearizable read on the
     *                  leader, 0 for eventual; a sequential read's own {@code minIndex} is applied on top.
     * @return the response length: VALUE or MISSING at {@link #appliedIndex()}, or RETRY when this replica has
     *         not applied up to the required index yet.
     */
    public int read(
        final KvRequestFlyweight request, final long readIndex, final MutableDirectBuffer out, final int outOffset)
    {
        if (request.op() != KvOp.GET)
        {
            return KvResponseFlyweight.encodeError(out, outOffset, request.clientId(), request.sequence(),
                state.appliedIndex, "only get is served outside the log");
        }
        final long requiredIndex = request.consistency() == Consistency.SEQUENTIAL ?
            Math.max(readIndex, request.minIndex()) : readIndex;
        if (state.appliedIndex < requiredIndex)
        {
            return KvResponseFlyweight.encode(out, outOffset, request.clientId(), request.sequence(),
                KvStatus.RETRY, state.appliedIndex);
        }
        return encodeRead(state.entries.get(request.keyBytes()), request.clientId(), request.sequence(),
            state.appliedIndex, out, outOffset);
    }

    /** The current value of {@code key} (a copy), or null when absent; as of {@link #appliedIndex()}. */
    public byte[] read(final byte[] key)
    {
        final byte[] value = state.entries.get(key);
        return value == null ? null : value.clone();
    }

    @Override
    public long appliedIndex()
    {
        return state.appliedIndex;
    }

    @Override
    public long appliedTerm()
    {
        return state.appliedTerm;
    }

    public int entryCount()
    {
        return state.entries.size();
    }

    public int sessionCount()
    {
        return state.sessions.size();
    }

    public int leaseCount()
    {
        return state.leases.size();
    }

    /** Whether a session is remembered for {@code clientId} (retries of its last request are deduplicated). */
    public boolean hasSession(final long clientId)
    {
        return state.sessions.containsKey(clientId);
    }

    @Override
    public long snapshotLength()
    {
        return KvSnapshotCodec.length(state);
    }

    @Override
    public void writeSnapshot(final SnapshotSink sink)
    {
        snapshotCodec.write(state, sink);
    }

    @Override
    public int restoreSnapshot(final DirectBuffer snapshot, final int offset, final int length)
    {
        final KvState restored = new KvState();
        final int result = snapshotCodec.read(snapshot, offset, length, config, restored);
        if (result < 0)
        {
            return result;
        }
        if (restored.appliedIndex < state.appliedIndex)
        {
            return KvCodecError.SNAPSHOT_BEHIND;
        }
        state = restored;
        return 0;
    }
}
