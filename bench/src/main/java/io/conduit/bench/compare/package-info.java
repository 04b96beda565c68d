/**
 * Side-by-side loopback comparisons of Conduit with Aeron and kernel TCP, in one run ({@code bench/run loopback}):
 * 32-byte round-trip latency and one-way throughput. Each system sits behind {@link
 * io.conduit.bench.compare.LoopbackSystem}, whose two {@link io.conduit.bench.compare.LoopbackPeer}s are driven by
 * the measuring threads themselves (Conduit and Aeron in invoker mode), so every system runs on exactly one spinning
 * thread per side and the same idle strategy.
 */
package io.conduit.bench.compare;
