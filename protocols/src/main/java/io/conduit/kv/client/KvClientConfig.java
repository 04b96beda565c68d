package io.conduit.kv.client;

import java.util.concurrent.TimeUnit;

import io.conduit.kv.KvConfig;

/** Settings of a {@link KvClientSession}: how long one attempt may take, and how long to wait before the next. */
public final class KvClientConfig
{
    private KvConfig kvConfig = KvConfig.DEFAULT;
    private long attemptTimeoutNs = TimeUnit.SECONDS.toNanos(1);
    private long retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(20);
    private long nodeBackoffNs = TimeUnit.SECONDS.toNanos(1);

    /** The store's limits; requests are checked against them before anything is sent. */
    public KvConfig kvConfig() { return kvConfig; }
    public KvClientConfig kvConfig(final KvConfig value) { kvConfig = value; return this; }
    /**
     * How long one node has to connect and answer before the request (same sequence) moves to another node; the
     * silent node is then skipped for {@link #nodeBackoffNs()}.
     */
    public long attemptTimeoutNs() { return attemptTimeoutNs; }
    public KvClientConfig attemptTimeoutNs(final long value) { attemptTimeoutNs = value; return this; }
    /** Pause after RETRY, or after every node in turn said NOT_LEADER (an election is probably under way). */
    public long retryBackoffNs() { return retryBackoffNs; }
    public KvClientConfig retryBackoffNs(final long value) { retryBackoffNs = value; return this; }
    /** How long a node that failed (lost connection, no answer) is skipped while others are available. */
    public long nodeBackoffNs() { return nodeBackoffNs; }
    public KvClientConfig nodeBackoffNs(final long value) { nodeBackoffNs = value; return this; }

    public KvClientConfig validate()
    {
        if (kvConfig == null || attemptTimeoutNs <= 0 || retryBackoffNs <= 0 || nodeBackoffNs < 0)
        {
            throw new IllegalArgumentException("need a kvConfig, attemptTimeoutNs > 0, retryBackoffNs > 0 and " +
                "nodeBackoffNs >= 0");
        }
        return this;
    }
}
