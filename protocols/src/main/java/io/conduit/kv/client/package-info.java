/**
 * The key-value client's logic, pure like the rest of {@code io.conduit.kv}. {@link KvClientSession} decides which
 * node to ask, follows leader hints, retries a command under the same sequence number until a final status or its
 * deadline, and carries the highest index seen into sequential reads; {@link KvResult} is what a caller gets back.
 * No sockets or clocks here, so a simulator can drive many sessions on virtual time; the blocking client over the
 * transport's {@code Endpoint} is {@code io.conduit.client.KvClient}.
 */
package io.conduit.kv.client;
