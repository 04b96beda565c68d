/**
 * Live counters in memory-mapped files, in the style of Aeron's {@code CnC} file and AeronStat: each endpoint agent
 * writes its counters into its own {@code <pid>-<n>.stat} file ({@link io.conduit.transport.status.StatusFile}) and
 * any process on the host reads them without locks or syscalls per value
 * ({@link io.conduit.transport.status.StatusReader}, the {@code conduit stat} command). This is an edge package: it
 * touches files and the wall clock, so it is deliberately outside the pure packages.
 */
package io.conduit.transport.status;
