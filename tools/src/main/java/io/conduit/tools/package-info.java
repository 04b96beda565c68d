/** The {@code conduit} command line: one picocli subcommand per tool. */
package io.conduit.tools;
