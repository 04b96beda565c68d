package io.conduit.bench.lossy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process started in a namespace host whose standard output is read line by line, with stderr kept for the error
 * message when it fails.
 */
final class HostProcess implements AutoCloseable
{
    private final Process process;
    private final BufferedReader output;
    private final List<String> lines = new ArrayList<>();
    private final String description;

    HostProcess(final List<String> command) throws IOException
    {
        description = String.join(" ", command);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Blocks until a line starting with {@code prefix} arrives; fails when the process ends first. */
    String awaitLine(final String prefix) throws IOException
    {
        String line;
        while ((line = output.readLine()) != null)
        {
            lines.add(line);
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
        throw new IOException("'" + description + "' ended before printing '" + prefix + "': " + errorText());
    }

    /** Writes {@code line} and a newline to the process's standard input. */
    void send(final String line) throws IOException
    {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Waits for a clean exit within {@code seconds}; kills the process and fails otherwise. */
    void awaitExit(final long seconds) throws IOException, InterruptedException
    {
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException("'" + description + "' did not finish within " + seconds + " s");
        }
        if (process.exitValue() != 0)
        {
            throw new IOException("'" + description + "' exited " + process.exitValue() + ": " + errorText());
        }
    }

    private String errorText()
    {
        try
        {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        catch (final IOException ex)
        {
            return "(stderr unreadable: " + ex.getMessage() + ")";
        }
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
    }
}
