package io.conduit.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code conduit} tool. Exit codes: 0 success, 1 failure, 2 usage error (picocli's default for
 * bad arguments).
 */
@Command(name = "conduit", mixinStandardHelpOptions = true, version = "conduit 0.1.0",
    description = "Conduit: reliable messaging over UDP, and the tools around it.",
    subcommands = {DemoCommand.class, SendCommand.class, RecvCommand.class, PingCommand.class, PongCommand.class,
        BlastCommand.class, SinkCommand.class, ImpairCommand.class, StatCommand.class,
        NodeCommand.class, KvCommand.class, CommandLine.HelpCommand.class})
public final class ConduitCli implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    /** The configured command line (usage errors exit 2 with a one-line message), for embedding and tests. */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new ConduitCli());
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            ex.getCommandLine().getErr().println("conduit: " + ex.getMessage() + " (try --help)");
            return 2;
        });
        return commandLine;
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
