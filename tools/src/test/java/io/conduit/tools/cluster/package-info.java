/** Real-process tests of replicated clusters: {@code conduit node} members and {@code conduit kv} clients. */
package io.conduit.tools.cluster;
