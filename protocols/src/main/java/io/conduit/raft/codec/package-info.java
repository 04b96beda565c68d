/**
 * The wire form of Raft messages: {@link io.conduit.raft.codec.RaftMessageCodec} turns a
 * {@link io.conduit.raft.RaftMessage} into little-endian bytes in an Agrona buffer and validates and decodes them
 * back, answering garbage with a negative {@link io.conduit.raft.codec.RaftCodecError} instead of an exception.
 * <p>
 * Pure: no clocks, threads, sockets or files. Kept apart from {@code io.conduit.raft} so the engine stays free of
 * any encoding and the codec can grow new message types (as it did for InstallSnapshot) behind its version and type
 * bytes.
 */
package io.conduit.raft.codec;
