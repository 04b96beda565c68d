package io.conduit.transport.engine;

import static java.util.concurrent.TimeUnit.SECONDS;

/** Tunables of an {@link EndpointEngine}: listener, TIME-WAIT table, cookies, and the connections' config. */
public final class EndpointConfig
{
    private ConnectionConfig connection = new ConnectionConfig();
    private int acceptBacklog = 1024;
    private int maxConnections = 65_536;
    private int timeWaitCapacity = 65_536;
    private int replyQueueCapacity = 256;
    private long cookieRotationNs = SECONDS.toNanos(30);
    private long cookieLifetimeNs = SECONDS.toNanos(30);

    public EndpointConfig validate()
    {
        connection.validate();
        if (acceptBacklog < 1 || maxConnections < 1 || timeWaitCapacity < 1 || replyQueueCapacity < 1)
        {
            throw new IllegalArgumentException("acceptBacklog, maxConnections, timeWaitCapacity and " +
                "replyQueueCapacity must be >= 1");
        }
        if (cookieLifetimeNs <= 0 || cookieLifetimeNs > cookieRotationNs)
        {
            throw new IllegalArgumentException("need 0 < cookieLifetimeNs <= cookieRotationNs");
        }
        if (cookieLifetimeNs > connection.timeWaitNs())
        {
            // A closed connection's id is remembered for TIME-WAIT; a cookie must expire before it is forgotten.
            throw new IllegalArgumentException("cookieLifetimeNs (" + cookieLifetimeNs + ") must not exceed " +
                "the connection's timeWaitNs (" + connection.timeWaitNs() + "), or a replayed cookie could " +
                "resurrect a closed connection");
        }
        return this;
    }

    public ConnectionConfig connection() { return connection; }
    public EndpointConfig connection(final ConnectionConfig value) { connection = value; return this; }
    public int acceptBacklog() { return acceptBacklog; }
    public EndpointConfig acceptBacklog(final int value) { acceptBacklog = value; return this; }
    public int maxConnections() { return maxConnections; }
    public EndpointConfig maxConnections(final int value) { maxConnections = value; return this; }
    public int timeWaitCapacity() { return timeWaitCapacity; }
    public EndpointConfig timeWaitCapacity(final int value) { timeWaitCapacity = value; return this; }
    public int replyQueueCapacity() { return replyQueueCapacity; }
    public EndpointConfig replyQueueCapacity(final int value) { replyQueueCapacity = value; return this; }
    public long cookieRotationNs() { return cookieRotationNs; }
    public EndpointConfig cookieRotationNs(final long value) { cookieRotationNs = value; return this; }
    public long cookieLifetimeNs() { return cookieLifetimeNs; }
    public EndpointConfig cookieLifetimeNs(final long value) { cookieLifetimeNs = value; return this; }
}
