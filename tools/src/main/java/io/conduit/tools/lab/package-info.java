/**
 * Runs Conduit between hosts: network-namespace hosts built by the {@code tools/netlab} script, or loopback, with
 * each side a separate {@code conduit} process and the user-space impairment relay in the path. Used by
 * {@code conduit demo} and by the namespace tests.
 */
package io.conduit.tools.lab;
