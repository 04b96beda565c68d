/**
 * Handoff of one 32-byte message between two threads: Agrona's rings (as the endpoint's per-connection rings use
 * them), JCTools' queues, and {@code ArrayBlockingQueue} as the baseline.
 */
package io.conduit.bench.jmh.rings;
