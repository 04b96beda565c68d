/**
 * Logical clocks for ordering events across processes, plus the monotonic clock the engines' edges read.
 * <p>
 * Wall clocks are never used for ordering: they jump and cannot be synchronised perfectly across machines, so two
 * processes' wall-clock timestamps say nothing reliable about which event happened first. Order comes from
 * causality instead (Lamport 1978): {@link io.conduit.clock.LamportClock} gives a total order consistent with
 * happened-before, and {@link io.conduit.clock.VectorClock} characterises it exactly, detecting concurrency.
 * {@link io.conduit.clock.MonotonicClock} measures elapsed time on one node only.
 * <p>
 * This package is pure: no system clock, threads, sockets, files or unseeded randomness. The one implementation
 * that reads {@code System.nanoTime} lives apart in {@code io.conduit.clock.system}.
 */
package io.conduit.clock;
