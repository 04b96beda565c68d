package io.conduit.kv;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.TreeMap;

/**
 * Everything a key-value replica knows, as one replaceable value so a snapshot restore is all-or-nothing. Maps are
 * ordered (keys and lease names unsigned-lexicographically, sessions least recently used first) so iteration, and
 * with it the snapshot bytes, depends on the state alone.
 */
final class KvState
{
    /** Client session: the last applied sequence and the response it got, for answering a retry. */
    static final class Session
    {
        long sequence;
        long lastIndex;
        byte[] response;

        Session(final long sequence, final long lastIndex, final byte[] response)
        {
            this.sequence = sequence;
            this.lastIndex = lastIndex;
            this.response = response;
        }
    }

    /** One lease grant; {@code startNs} and {@code ttlNs} are on the clock of the leader of {@code term}. */
    static final class Lease
    {
        byte[] holder;
        long token;
        long term;
        long startNs;
        long ttlNs;

        Lease(final byte[] holder, final long token, final long term, final long startNs, final long ttlNs)
        {
            this.holder = holder;
            this.token = token;
            this.term = term;
            this.startNs = startNs;
            this.ttlNs = ttlNs;
        }
    }

    final TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);
    /** Insertion order is last use order: a session is removed and re-inserted whenever it is used. */
    final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();
    final TreeMap<byte[], Lease> leases = new TreeMap<>(Arrays::compareUnsigned);

    long appliedIndex;
    long appliedTerm;
    /** The highest term any stamped command has carried; -1 before the first. */
    long clockTerm = -1;
    /** The stamped time of the first command of {@link #clockTerm}: when that leader's clock started counting. */
    long clockTermStartNs;
}
