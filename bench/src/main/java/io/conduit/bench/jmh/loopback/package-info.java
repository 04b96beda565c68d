/** End to end: a 32-byte ping-pong between two endpoints over loopback UDP, both driven by the benchmark thread. */
package io.conduit.bench.jmh.loopback;
