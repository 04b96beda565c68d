package io.conduit.tools;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.conduit.transport.congestion.CongestionControlKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --cc NAME} option. Names are matched against {@link CongestionControlKind} constants ignoring case and
 * underscores ({@code newreno} is {@code NEW_RENO}), so a controller added to the enum is selectable here without
 * touching this class.
 */
final class CongestionOption implements ITypeConverter<CongestionControlKind>
{
    @Override
    public CongestionControlKind convert(final String value)
    {
        final String wanted = normalise(value);
        for (final CongestionControlKind kind : CongestionControlKind.values())
        {
            if (normalise(kind.name()).equals(wanted))
            {
                return kind;
            }
        }
        throw new TypeConversionException("unknown congestion control '" + value + "' (available: " +
            available() + ")");
    }

    /** True when {@code value} names a congestion controller (any accepted spelling). */
    static boolean isKnown(final String value)
    {
        final String wanted = normalise(value);
        return Arrays.stream(CongestionControlKind.values()).anyMatch(kind -> normalise(kind.name()).equals(wanted));
    }

    /** The accepted spellings, e.g. {@code newreno|cubic}. */
    static String available()
    {
        return Arrays.stream(CongestionControlKind.values()).map(kind -> normalise(kind.name()))
            .collect(Collectors.joining("|"));
    }

    /** {@code NEW_RENO}, {@code new-reno} and {@code NewReno} all become {@code newreno}. */
    private static String normalise(final String name)
    {
        return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Lets {@code --help} list the congestion controllers the transport has today. */
    static final class Names implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of(available().split("\\|")).iterator();
        }
    }
}
