package io.conduit.bench.lossy;

import java.util.List;

/**
 * A system under test: Conduit with one of its congestion controllers, or kernel TCP with one of the kernel's.
 *
 * @param label      column label.
 * @param system     {@code conduit} or {@code tcp} (BulkTransfer's --system).
 * @param congestion Conduit's --cc name, or the kernel's tcp_congestion_control value.
 */
record ContenderKind(String label, String system, String congestion)
{
    static final List<ContenderKind> ALL = List.of(
        new ContenderKind("Conduit NewReno", "conduit", "newreno"),
        new ContenderKind("Conduit CUBIC", "conduit", "cubic"),
        new ContenderKind("Conduit BBR", "conduit", "bbr"),
        new ContenderKind("Conduit BBRv1", "conduit", "bbrv1"),
        new ContenderKind("TCP CUBIC", "tcp", "cubic"),
        new ContenderKind("TCP BBR", "tcp", "bbr"));

    boolean isTcp()
    {
        return "tcp".equals(system);
    }
}
