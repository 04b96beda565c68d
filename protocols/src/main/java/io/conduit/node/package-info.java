/**
 * A replicated key-value member as one pure object: {@link io.conduit.node.RaftKvReplica} joins a
 * {@link io.conduit.raft.RaftNode}, its {@link io.conduit.raft.RaftStorage}, the
 * {@link io.conduit.kv.KvStateMachine} and the client protocol ({@code io.conduit.kv} flyweights), and speaks to
 * peers through {@link io.conduit.raft.codec.RaftMessageCodec}.
 * <p>
 * Pure: no sockets, threads, files or clocks. Time arrives as {@code nowNs} arguments, bytes arrive through
 * {@code on*} methods and leave through {@link io.conduit.node.PeerOutbox} and {@link io.conduit.node.ClientOutbox};
 * durability is a hook the edge supplies (the durable storage's fsync). The node's Agrona agent, which owns the
 * sockets and the clock, lives at the edge and drives one replica from one thread.
 */
package io.conduit.node;
