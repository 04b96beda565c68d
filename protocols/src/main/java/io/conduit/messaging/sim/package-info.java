/**
 * The simulated {@link io.conduit.messaging.Messaging} binding: Conduit's real connection engines over the
 * deterministic network simulator on virtual time, so a protocol test can inject loss, delay, duplication,
 * reordering, partitions and crashes, and replay any run from its seed.
 */
package io.conduit.messaging.sim;
