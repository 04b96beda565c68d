/**
 * How the replication engines and the failure detector talk to their peers: one small interface,
 * {@link io.conduit.messaging.Messaging}, with bindings onto the Conduit UDP transport, Aeron, and the deterministic
 * network simulator. Members are small integer ids; a binding maps them to addresses.
 */
package io.conduit.messaging;
