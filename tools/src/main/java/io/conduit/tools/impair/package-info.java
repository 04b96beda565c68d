/**
 * {@code conduit impair}: a user-space UDP relay that impairs traffic in both directions (loss, duplication,
 * reordering, corruption, delay and jitter, a rate limit) for machines without kernel netem. {@link
 * io.conduit.tools.impair.Impairment} decides each datagram's fate from a seeded generator and {@code nowNs}, with
 * no sockets or clocks, so it is tested on virtual time; {@link io.conduit.tools.impair.ImpairRelay} is the
 * single-threaded socket loop that carries out those decisions.
 */
package io.conduit.tools.impair;
