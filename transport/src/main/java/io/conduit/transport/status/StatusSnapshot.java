package io.conduit.transport.status;

import java.nio.file.Path;
import java.util.List;

/**
 * One status file as read by {@link StatusReader} at one moment: its header and its allocated counters in id order.
 *
 * @param path             the file.
 * @param pid              the writer's process id, from the header.
 * @param name             the writer's name, from the header.
 * @param startEpochMs     when the file was created, wall-clock ms since the epoch.
 * @param heartbeatEpochMs the writer's latest heartbeat, wall-clock ms since the epoch.
 * @param alive            whether the writer's process runs and the file was still present after reading; a file
 *                         left by a crashed process reads as not alive until the next {@link StatusFile#create}
 *                         sweeps it.
 * @param counters         the allocated counters, in id order; unmodifiable.
 */
public record StatusSnapshot(
    Path path,
    long pid,
    String name,
    long startEpochMs,
    long heartbeatEpochMs,
    boolean alive,
    List<CounterValue> counters)
{
    public StatusSnapshot
    {
        counters = List.copyOf(counters);
    }
}
