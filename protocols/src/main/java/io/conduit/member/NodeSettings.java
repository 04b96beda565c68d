package io.conduit.member;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.conduit.messaging.Members;

/**
 * Everything one member needs to start: who it is, who the others are, where its data lives, how peers talk.
 * Setters are fluent; {@link #validate()} checks the whole and names the first problem in one line.
 */
public final class NodeSettings
{
    /** Tick period of the Raft engine: elections after 10–20 ticks (200–400 ms), heartbeats every tick. */
    public static final long DEFAULT_TICK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Aeron term length for peer links: messages up to 256 KiB, so the longest command and a batch both fit. */
    public static final int DEFAULT_AERON_TERM_LENGTH = 2 << 20;

    private int memberId;
    private Members members;
    private Path dataDirectory;
    private PeerTransport transport = PeerTransport.CONDUIT;
    private long tickNs = DEFAULT_TICK_NS;
    private int maxClientLinks = 1024;
    private int localClients = 16;
    private int localRingBytes = 1 << 20;
    private IdleStrategy idleStrategy = new BackoffIdleStrategy(
        1, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    private boolean fsync = true;
    private ReplicationEngine engine = ReplicationEngine.RAFT;
    private boolean craqReads;
    private int[] controlMembers = new int[0];
    private long busyCyclePauseNs;
    private long snapshotEveryEntries = 10_000;
    private long entriesRetainedBehindSnapshot = 1_000;

    public int memberId() { return memberId; }
    public NodeSettings memberId(final int value) { memberId = value; return this; }
    /** Every member's client address (HOST:PORT), this one's included. */
    public Members members() { return members; }
    public NodeSettings members(final Members value) { members = value; return this; }
    public Path dataDirectory() { return dataDirectory; }
    public NodeSettings dataDirectory(final Path value) { dataDirectory = value; return this; }
    public PeerTransport transport() { return transport; }
    public NodeSettings transport(final PeerTransport value) { transport = value; return this; }
    public long tickNs() { return tickNs; }
    public NodeSettings tickNs(final long value) { tickNs = value; return this; }
    /** Most network clients connected at once. */
    public int maxClientLinks() { return maxClientLinks; }
    public NodeSettings maxClientLinks(final int value) { maxClientLinks = value; return this; }
    /** Most in-process clients ({@link LocalKvClient}) at once. */
    public int localClients() { return localClients; }
    public NodeSettings localClients(final int value) { localClients = value; return this; }
    /** Capacity of each in-process ring (requests in, and each client's responses out). */
    public int localRingBytes() { return localRingBytes; }
    public NodeSettings localRingBytes(final int value) { localRingBytes = value; return this; }
    public IdleStrategy idleStrategy() { return idleStrategy; }
    public NodeSettings idleStrategy(final IdleStrategy value) { idleStrategy = value; return this; }
    /**
     * Whether the log is forced to disk before anything is acknowledged. Only benchmarks that want to see the cost
     * turn it off; a member without fsync can lose acknowledged writes in a power failure.
     */
    public boolean fsync() { return fsync; }
    public NodeSettings fsync(final boolean value) { fsync = value; return this; }

    public ReplicationEngine engine() { return engine; }
    public NodeSettings engine(final ReplicationEngine value) { engine = value; return this; }
    /** Chain replication only: any member answers reads of clean keys (CRAQ), not only the tail. */
    public boolean craqReads() { return craqReads; }
    public NodeSettings craqReads(final boolean value) { craqReads = value; return this; }

    /**
     * Chain replication only: the members that run only the control plane (Raft voters, no replica); the others are
     * the chain, as Raft learners of the control group. Empty, the default, co-locates the control plane: every
     * member is a chain member and a voter.
     */
    public int[] controlMembers() { return controlMembers.clone(); }
    public NodeSettings controlMembers(final int... value) { controlMembers = value.clone(); return this; }

    /** Whether this member runs only the control plane (it is one of {@link #controlMembers()}). */
    public boolean isControlMember()
    {
        return Arrays.stream(controlMembers).anyMatch(id -> id == memberId);
    }

    /** The Raft voters: the control members when separate, otherwise every member; ascending. */
    public int[] voters()
    {
        return controlMembers.length > 0 ? Arrays.stream(controlMembers).sorted().toArray() : memberIds();
    }

    /** Chain replication: the members that hold the data, every member not a control member; ascending. */
    public int[] chainMembers()
    {
        return Arrays.stream(memberIds()).filter(id -> Arrays.stream(controlMembers).noneMatch(c -> c == id))
            .toArray();
    }

    /** Every member's id, ascending. */
    public int[] memberIds()
    {
        return members.addresses().keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Diagnostic only: the member's agent pauses this long after every duty cycle that did work, making it a slow
     * replica (a slow disk or a busy CPU) for benchmarks that compare how engines tolerate one. 0, the default, never.
     */
    public long busyCyclePauseNs() { return busyCyclePauseNs; }
    public NodeSettings busyCyclePauseNs(final long value) { busyCyclePauseNs = value; return this; }

    /** Applied entries between two snapshots (the log behind a snapshot is compacted); 0 never snapshots. */
    public long snapshotEveryEntries() { return snapshotEveryEntries; }
    public NodeSettings snapshotEveryEntries(final long value) { snapshotEveryEntries = value; return this; }
    /** Entries kept behind a snapshot so a slightly lagging follower catches up from the log, not a snapshot. */
    public long entriesRetainedBehindSnapshot() { return entriesRetainedBehindSnapshot; }
    public NodeSettings entriesRetainedBehindSnapshot(final long value)
    {
        entriesRetainedBehindSnapshot = value;
        return this;
    }

    /** The Aeron peer addresses: every member's HOST:(PORT + 10000). */
    public Members aeronMembers()
    {
        final Map<Integer, InetSocketAddress> shifted = new TreeMap<>();
        for (final Map.Entry<Integer, InetSocketAddress> entry : members.addresses().entrySet())
        {
            final InetSocketAddress address = entry.getValue();
            shifted.put(entry.getKey(),
                new InetSocketAddress(address.getAddress(), address.getPort() + PeerTransport.AERON_PORT_OFFSET));
        }
        return Members.of(shifted);
    }

    public NodeSettings validate()
    {
        if (members == null || members.size() == 0)
        {
            throw new IllegalArgumentException("no members given");
        }
        if (!members.contains(memberId))
        {
            throw new IllegalArgumentException("member id " + memberId + " is not one of the members " +
                members.addresses().keySet());
        }
        if (engine == null)
        {
            throw new IllegalArgumentException("no replication engine given");
        }
        if (dataDirectory == null)
        {
            throw new IllegalArgumentException("no data directory given");
        }
        validateControlMembers();
        if (busyCyclePauseNs < 0)
        {
            throw new IllegalArgumentException("busyCyclePauseNs must be >= 0");
        }
        if (snapshotEveryEntries < 0 || entriesRetainedBehindSnapshot < 0)
        {
            throw new IllegalArgumentException("snapshotEveryEntries and entriesRetainedBehindSnapshot must be >= 0");
        }
        if (tickNs <= 0 || maxClientLinks <= 0 || localClients < 0 || localRingBytes <= 0 || idleStrategy == null)
        {
            throw new IllegalArgumentException("tickNs, maxClientLinks and localRingBytes must be positive");
        }
        if (transport == PeerTransport.AERON)
        {
            for (final InetSocketAddress address : members.addresses().values())
            {
                if (address.getPort() + PeerTransport.AERON_PORT_OFFSET > 65_535)
                {
                    throw new IllegalArgumentException("port " + address.getPort() + " + " +
                        PeerTransport.AERON_PORT_OFFSET + " for Aeron is above 65535");
                }
            }
        }
        return this;
    }

    private void validateControlMembers()
    {
        if (controlMembers.length == 0)
        {
            return;
        }
        if (engine != ReplicationEngine.CHAIN)
        {
            throw new IllegalArgumentException("control members apply to chain replication only");
        }
        if (Arrays.stream(controlMembers).distinct().count() != controlMembers.length)
        {
            throw new IllegalArgumentException("control members are listed twice: " + Arrays.toString(controlMembers));
        }
        for (final int id : controlMembers)
        {
            if (!members.contains(id))
            {
                throw new IllegalArgumentException("control member " + id + " is not one of the members " +
                    members.addresses().keySet());
            }
        }
        if (controlMembers.length == members.size())
        {
            throw new IllegalArgumentException("every member is a control member: no member is left for the chain");
        }
    }
}
