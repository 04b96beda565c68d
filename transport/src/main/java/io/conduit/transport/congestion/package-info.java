/**
 * Congestion control behind one interface: a controller turns the engine's send, acknowledgement, loss and timeout
 * events into a congestion window, and holds no other connection state. The engine does the loss bookkeeping (SACK
 * scoreboard, pipe, recovery point), so controllers stay small, pure functions of their inputs and the caller's
 * {@code nowNs}, can be swapped per connection ({@link io.conduit.transport.congestion.CongestionControlKind}) and are
 * tested rule by rule against the RFCs they implement.
 */
package io.conduit.transport.congestion;
