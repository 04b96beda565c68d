package io.conduit.bench.compare;

import java.io.IOException;

/** A messaging system under comparison: it opens connected links between two peers on 127.0.0.1. */
public interface LoopbackSystem
{
    /** The column heading, e.g. "Conduit". */
    String name();

    /** How this system is configured (MTU, buffers, threading), for the table's header. */
    String settings();

    /**
     * Opens a link whose peers can exchange messages up to {@code maxMessageLength} bytes, driving both ends on the
     * calling thread until it is connected.
     */
    LoopbackLink open(int maxMessageLength) throws IOException;

    /** A connected pair of peers: the client sends pings or the one-way stream; the server echoes or receives. */
    interface LoopbackLink extends AutoCloseable
    {
        LoopbackPeer client();

        LoopbackPeer server();

        /**
         * What the link observed about itself after a run, e.g. the datagram size actually used, or "" if nothing.
         * Called on the opening thread once the peers' threads have been joined.
         */
        String observations();

        @Override
        void close();
    }
}
