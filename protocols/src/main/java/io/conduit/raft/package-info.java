/**
 * A pure Raft consensus engine modelled on etcd/raft: {@link io.conduit.raft.RaftNode} is driven by logical
 * {@code tick()}s and {@code step(message)}s and leaves everything it wants done in a {@link io.conduit.raft.Ready}
 * (state, entries and a leader's snapshot to persist, committed entries to apply, messages to send). No clocks,
 * threads, sockets, files or unseeded randomness: the edge (the node's work loop, {@code io.conduit.raft.storage})
 * does the I/O.
 * <p>
 * Messages are plain small objects in this first increment; a flyweight encoding over Agrona buffers replaces them
 * when the engine is wired to the messaging bindings.
 */
package io.conduit.raft;
