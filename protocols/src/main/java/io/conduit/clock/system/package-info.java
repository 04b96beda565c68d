/**
 * The edge side of {@link io.conduit.clock.MonotonicClock}: {@link io.conduit.clock.system.SystemMonotonicClock}
 * reads {@code System.nanoTime}. Kept out of {@code io.conduit.clock} so that package stays pure; a purity scan of
 * {@code io.conduit.clock} walks subpackages and so must exempt this one class by name.
 */
package io.conduit.clock.system;
