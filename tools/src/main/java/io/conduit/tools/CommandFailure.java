package io.conduit.tools;

/** A runtime failure a command reports as one line on stderr with exit code 1 (never a stack trace). */
final class CommandFailure extends Exception
{
    private static final long serialVersionUID = 1L;

    CommandFailure(final String message)
    {
        super(message, null, false, false);
    }
}
