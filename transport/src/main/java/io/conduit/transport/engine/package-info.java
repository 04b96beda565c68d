/**
 * Pure connection engine: state machine, windows, timers, handshake; no I/O, no clock reads, callers pass nowNs.
 * Keeping every decision a function of its inputs and the caller's {@code nowNs} is what lets the seeded network
 * simulator replay any run exactly and lets the same code run unchanged behind real sockets.
 */
package io.conduit.transport.engine;
