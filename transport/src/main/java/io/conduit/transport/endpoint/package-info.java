/**
 * The public API: an {@link io.conduit.transport.endpoint.Endpoint} owns one UDP socket and many
 * {@link io.conduit.transport.endpoint.ConduitConnection}s. Its work loop is an Agrona agent that runs the pure
 * engines on its own thread or on the application's (invoker mode). Application threads exchange data with it
 * only through lock-free rings: {@code offer} never blocks and {@code poll} never waits.
 */
package io.conduit.transport.endpoint;
