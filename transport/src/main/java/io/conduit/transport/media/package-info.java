/**
 * The edge where datagrams meet the operating system: a non-blocking {@link java.nio.channels.DatagramChannel}
 * with its socket options, and the table that turns socket addresses into the engine's opaque {@code long} keys.
 * Not pure: this is where the sockets are.
 */
package io.conduit.transport.media;
