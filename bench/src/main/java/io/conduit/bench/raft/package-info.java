/** Replication benchmarks: committed writes per second and commit latency of a 3-member Raft cluster. */
package io.conduit.bench.raft;
