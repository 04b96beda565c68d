/** Encode and decode of every packet type, and CRC32C (the JDK's, Agrona's and Conduit's) over 64 B to 64 KiB. */
package io.conduit.bench.jmh.codec;
