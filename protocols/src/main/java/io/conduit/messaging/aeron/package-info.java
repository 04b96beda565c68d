/**
 * The {@link io.conduit.messaging.Messaging} binding onto Aeron: {@link io.conduit.messaging.aeron.AeronMessaging}
 * gives each member one subscription on its own endpoint and one exclusive publication to each peer, and
 * {@link io.conduit.messaging.aeron.AeronMessagingContext} chooses between an embedded media driver per node (the
 * default) and an external one. Used to compare Conduit's own transport with Aeron under the same engines.
 */
package io.conduit.messaging.aeron;
