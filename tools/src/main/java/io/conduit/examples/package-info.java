/** Small runnable programs that show the public API; docs/api.md includes them verbatim (a test checks). */
package io.conduit.examples;
