/**
 * Validation of the user-space link emulator ({@code tools/linkemu}): two namespace hosts whose only path is the
 * emulator, measured with ping and a TCP probe against the configured delay, loss, corruption and rate.
 */
package io.conduit.tools.linkemu;
