/**
 * The blocking key-value client, an edge over the transport's public {@code Endpoint}: {@link KvClient} connects to
 * every cluster address with a CLIENT_HELLO ({@link io.conduit.messaging.conduit.ClientHello}) and runs one command
 * at a time, driving the pure {@link io.conduit.kv.client.KvClientSession} with the endpoint's clock. It lives apart
 * from {@code io.conduit.kv.client} because everything under {@code io.conduit.kv} must stay free of sockets and
 * clocks ({@code KvPurityTest}).
 */
package io.conduit.client;
