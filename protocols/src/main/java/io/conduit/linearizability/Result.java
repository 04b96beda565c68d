package io.conduit.linearizability;

/**
 * What a service answered to an {@link Operation}, as recorded in a {@link History}. Implementations are small
 * immutable values with {@code equals}, {@code hashCode} and a readable {@code toString}, e.g. {@link KvResult}.
 */
public interface Result
{
}
