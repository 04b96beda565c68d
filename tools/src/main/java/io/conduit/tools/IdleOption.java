package io.conduit.tools;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.conduit.transport.endpoint.DeadlineBackoffIdleStrategy;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --idle spin|yield|backoff} option: how a command's single thread waits when its endpoint had no work.
 * Spinning gives the lowest latency at the cost of a whole core; backoff (the default) uses no CPU when idle.
 */
enum IdleOption
{
    SPIN
    {
        @Override
        IdleStrategy create()
        {
            return new BusySpinIdleStrategy();
        }
    },
    YIELD
    {
        @Override
        IdleStrategy create()
        {
            return new YieldingIdleStrategy();
        }
    },
    BACKOFF
    {
        @Override
        IdleStrategy create()
        {
            // The endpoint's own default: spin, then yield, then park from 1 us up to 1 ms or the next timer.
            return new DeadlineBackoffIdleStrategy();
        }
    };

    /** A fresh strategy: they keep per-thread state, so each endpoint needs its own. */
    abstract IdleStrategy create();

    /** The option's spelling: lower case. */
    String optionName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive conversion with a one-line error listing the choices. */
    static final class Converter implements ITypeConverter<IdleOption>
    {
        @Override
        public IdleOption convert(final String value)
        {
            for (final IdleOption option : values())
            {
                if (option.name().equalsIgnoreCase(value))
                {
                    return option;
                }
            }
            throw new TypeConversionException("unknown idle strategy '" + value + "' (choose " +
                Arrays.stream(values()).map(IdleOption::optionName).collect(Collectors.joining("|")) + ")");
        }
    }
}
