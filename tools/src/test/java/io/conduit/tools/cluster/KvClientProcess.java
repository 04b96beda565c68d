package io.conduit.tools.cluster;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.conduit.tools.lab.ConduitProcess;

/**
 * A {@code conduit kv} process driven line by line: {@link #call} writes one command and waits for its one answer.
 * Only lines of the answer grammar count as answers, so a stray JVM warning cannot shift the pairing.
 */
final class KvClientProcess implements AutoCloseable
{
    static final Pattern ANSWER = Pattern.compile("ok|ok \\d+|fail|missing|timeout|value \\S+|held \\S+|error .*");

    private final ConduitProcess process;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final long answerWaitMs;

    KvClientProcess(final String name, final String cluster, final long timeoutMs, final String... extra)
        throws IOException
    {
        final String[] arguments = new String[5 + extra.length];
        arguments[0] = "kv";
        arguments[1] = "--cluster";
        arguments[2] = cluster;
        arguments[3] = "--timeout-ms";
        arguments[4] = Long.toString(timeoutMs);
        System.arraycopy(extra, 0, arguments, 5, extra.length);
        this.process = ConduitProcess.start(name, null, this::onLine, arguments);
        // The client answers `timeout` itself after timeoutMs; the extra time covers a loaded 2-core machine.
        this.answerWaitMs = timeoutMs + 30_000;
    }

    private void onLine(final String line)
    {
        if (ANSWER.matcher(line).matches())
        {
            answers.add(line);
        }
    }

    /** Sends one command and returns its answer line. */
    String call(final String command) throws IOException, InterruptedException
    {
        process.writeLine(command);
        final String answer = answers.poll(answerWaitMs, TimeUnit.MILLISECONDS);
        if (answer == null)
        {
            throw new IOException("no answer to '" + command + "' within " + answerWaitMs + " ms: " + process.tail());
        }
        return answer;
    }

    /** Ends input and waits for a clean exit; returns the exit code. */
    int finish() throws IOException, InterruptedException
    {
        process.closeInput();
        return process.awaitExit(30, TimeUnit.SECONDS);
    }

    String tail()
    {
        return process.tail();
    }

    @Override
    public void close()
    {
        process.close();
    }
}
