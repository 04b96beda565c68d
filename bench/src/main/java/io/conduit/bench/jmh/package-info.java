/**
 * JMH microbenchmarks of the hot paths (issue 7): codec, CRC32C, the connection engine per segment, ring handoff,
 * the timer heap and a loopback ping-pong. Run them with {@code bench/run jmh} and {@code -prof gc}; every hot-path
 * benchmark is meant to show {@code gc.alloc.rate.norm} of about 0 B/op.
 */
package io.conduit.bench.jmh;
