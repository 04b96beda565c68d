package io.conduit.transport.endpoint;

/** Who runs the endpoint's duty cycle. */
public enum ThreadingMode
{
    /** The endpoint starts its own thread (Agrona {@code AgentRunner}) with the context's idle strategy. */
    DEDICATED,
    /**
     * The application drives the endpoint by calling {@link Endpoint#doWork()} (Agrona {@code AgentInvoker}); the
     * blocking convenience calls drive it themselves. Only that one thread may call them.
     */
    INVOKER
}
