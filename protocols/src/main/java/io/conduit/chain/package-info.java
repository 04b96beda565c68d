/**
 * Chain replication (van Renesse and Schneider, OSDI 2004) with CRAQ reads (Terrace and Freedman, USENIX ATC
 * 2009) as a pure engine: {@link io.conduit.chain.ChainReplica} is one member, driven by the
 * {@link io.conduit.chain.ChainConfiguration}s a configuration manager hands it, by
 * {@link io.conduit.chain.ChainMessage}s from the other members ({@link io.conduit.chain.ChainMessageCodec} puts
 * them on the wire) and by client requests in the {@code io.conduit.kv} protocol. It applies sequenced commands to
 * an {@link io.conduit.kv.ReplicatedStateMachine}, normally an {@link io.conduit.kv.KvStateMachine}.
 * <p>
 * This package is pure: no sockets, files, threads or clocks. Time arrives as {@code nowNs} arguments and is only
 * stamped into commands (lease expiry); nothing here is random. The configuration manager (Raft-backed), the node
 * agent that moves messages over {@code io.conduit.messaging} and the command line live elsewhere; see
 * {@code docs/chain-replication.md}.
 */
package io.conduit.chain;
