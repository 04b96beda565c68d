package io.conduit.linearizability;

/**
 * What a client asked a service to do, as recorded in a {@link History}. Implementations are small immutable values
 * with {@code equals}, {@code hashCode} and a readable {@code toString} (explanations print them); each
 * {@link Model} says which operations it accepts, e.g. {@link KvOperation} for {@link KvModel}.
 */
public interface Operation
{
}
