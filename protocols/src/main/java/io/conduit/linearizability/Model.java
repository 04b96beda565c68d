package io.conduit.linearizability;

/**
 * The sequential specification of a service, against which the {@link LinearizabilityChecker} checks a history.
 * <p>
 * States must be immutable values with {@code equals} and {@code hashCode}: the checker memoizes (set of linearized
 * operations, state) pairs (Lowe 2017), so two equal states must compare equal. Steps must be deterministic: an
 * operation with a given result leads from a state to at most one state.
 *
 * @param <S> the state of one partition.
 */
public interface Model<S>
{
    /**
     * @return the state of every partition before any operation.
     */
    S initialState();

    /**
     * Applies one operation to a partition's state.
     *
     * @param state     the partition's state before the operation.
     * @param operation the operation, of a type this model accepts.
     * @param result    what the service answered, or {@code null} if the outcome is unknown (the operation never
     *                  completed), in which case any answer is acceptable and only the effect matters.
     * @return the state after the operation, or {@code null} if the service could not have given that result in that
     * state.
     * @throws IllegalArgumentException if the operation or result is of a type this model does not know, or a result
     *                                  this kind of operation can never give.
     */
    S step(S state, Operation operation, Result result);

    /**
     * Names the independent partition an operation belongs to: operations in different partitions never affect each
     * other, so each partition's sub-history is checked on its own (P-compositionality). A model without partitions
     * returns one constant.
     *
     * @param operation the operation.
     * @return the partition's name, used in explanations too, e.g. the key.
     */
    String partitionKey(Operation operation);

    /**
     * Says whether an operation never changes the state. An open read-only operation is dropped before the search:
     * it can always take effect last with whatever answer it was given, and leaving it in only slows the search.
     *
     * @param operation the operation.
     * @return true if no state ever changes under it; false, the safe default, otherwise.
     */
    default boolean isReadOnly(final Operation operation)
    {
        return false;
    }
}
