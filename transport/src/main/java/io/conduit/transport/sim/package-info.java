/**
 * A seeded, deterministic, single-threaded network simulator for testing the pure protocol engines
 * (TigerBeetle-style simulation testing): {@link io.conduit.transport.sim.SimNetwork} carries datagrams between
 * integer node ids over directed links with configurable loss, duplication, reordering, delay, jitter,
 * bandwidth, queue limits, corruption and partitions, in virtual time with every random choice drawn from one
 * {@link io.conduit.transport.sim.SimRandom} tree, so a failing run replays exactly from its seed.
 * {@link io.conduit.transport.sim.SeededRuns} runs a test body over many seeds and reports the failing seed with
 * a replay command. It lives in the main source tree because the Raft, chain-replication and failure-detection
 * modules reuse it; see {@code docs/simulator.md}.
 */
package io.conduit.transport.sim;
