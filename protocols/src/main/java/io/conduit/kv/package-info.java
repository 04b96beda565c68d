/**
 * The replicated key-value store of issue 5: wire formats, the deterministic state machine a replication engine
 * drives, and the {@code conduit kv} text protocol.
 * <p>
 * Wire formats are flyweights over Agrona buffers, little-endian, with validating decoders that return a
 * {@link io.conduit.kv.KvCodecError} instead of throwing: {@link io.conduit.kv.KvRequestFlyweight} (client to
 * member), {@link io.conduit.kv.KvResponseFlyweight} (member to client), {@link io.conduit.kv.KvCommandFlyweight}
 * (the request as logged, stamped with the leader's term and monotonic time) and
 * {@link io.conduit.kv.KvSnapshotCodec}. {@link io.conduit.kv.KvStateMachine} implements the small
 * {@link io.conduit.kv.ReplicatedStateMachine} interface through which Raft or chain replication apply committed
 * commands, read locally and snapshot; it depends on neither engine. {@link io.conduit.kv.KvTextProtocol} maps
 * stdin lines to requests and responses to stdout lines, exactly as the contract prints them.
 * <p>
 * This package is pure: no clocks, threads, sockets or files. Lease expiry uses only the times the leader stamps
 * into commands, so every replica decides it identically.
 */
package io.conduit.kv;
