/**
 * The {@link io.conduit.messaging.Messaging} binding onto Conduit's reliable UDP transport. It drives the sans-I/O
 * {@link io.conduit.transport.engine.EndpointEngine} directly on the protocol's thread through a
 * {@link io.conduit.messaging.conduit.DatagramPort}: a real UDP socket, or the simulator's network on virtual time,
 * so the same code runs in production and in seeded simulation.
 */
package io.conduit.messaging.conduit;
