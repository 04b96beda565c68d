package io.conduit.bench.jmh.timers;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import io.conduit.transport.engine.Connection;

/**
 * Reaches the package-private {@code io.conduit.transport.engine.DeadlineHeap} through method handles, so the
 * benchmark measures the real class without a bench class in the transport package. The handles are
 * {@code static final}, which lets the JIT inline {@code invokeExact} like a direct call.
 */
final class DeadlineHeapAccess
{
    private static final MethodHandle CONSTRUCT;
    private static final MethodHandle SCHEDULE;
    private static final MethodHandle POLL_DUE;
    private static final MethodHandle EARLIEST_DEADLINE_NS;
    private static final MethodHandle SIZE;

    static
    {
        try
        {
            final Class<?> heapClass = Class.forName("io.conduit.transport.engine.DeadlineHeap");
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(heapClass, MethodHandles.lookup());
            CONSTRUCT = lookup.findConstructor(heapClass, MethodType.methodType(void.class, int.class))
                .asType(MethodType.methodType(Object.class, int.class));
            SCHEDULE = lookup.findVirtual(heapClass, "schedule",
                MethodType.methodType(void.class, Connection.class, long.class))
                .asType(MethodType.methodType(void.class, Object.class, Connection.class, long.class));
            POLL_DUE = lookup.findVirtual(heapClass, "pollDue", MethodType.methodType(Connection.class, long.class))
                .asType(MethodType.methodType(Connection.class, Object.class, long.class));
            EARLIEST_DEADLINE_NS = lookup.findVirtual(heapClass, "earliestDeadlineNs",
                MethodType.methodType(long.class))
                .asType(MethodType.methodType(long.class, Object.class));
            SIZE = lookup.findVirtual(heapClass, "size", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, Object.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private DeadlineHeapAccess()
    {
    }

    static Object newHeap(final int initialCapacity)
    {
        try
        {
            return (Object)CONSTRUCT.invokeExact(initialCapacity);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** Schedules, moves, or with {@code TimerKind.NONE} cancels the connection's timer. */
    static void schedule(final Object heap, final Connection connection, final long deadlineNs)
    {
        try
        {
            SCHEDULE.invokeExact(heap, connection, deadlineNs);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    static Connection pollDue(final Object heap, final long nowNs)
    {
        try
        {
            return (Connection)POLL_DUE.invokeExact(heap, nowNs);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    static long earliestDeadlineNs(final Object heap)
    {
        try
        {
            return (long)EARLIEST_DEADLINE_NS.invokeExact(heap);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    static int size(final Object heap)
    {
        try
        {
            return (int)SIZE.invokeExact(heap);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    private static RuntimeException rethrow(final Throwable ex)
    {
        if (ex instanceof RuntimeException)
        {
            return (RuntimeException)ex;
        }
        if (ex instanceof Error)
        {
            throw (Error)ex;
        }
        return new IllegalStateException(ex);
    }
}
