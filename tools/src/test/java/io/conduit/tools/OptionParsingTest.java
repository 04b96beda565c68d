package io.conduit.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.endpoint.DeadlineBackoffIdleStrategy;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionParsingTest
{
    @Test
    void parsesHostPortForms()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 9000), HostPort.parse("127.0.0.1:9000", false));
        assertEquals(new InetSocketAddress("::1", 9000), HostPort.parse("[::1]:9000", false));
        assertEquals(0, HostPort.parse("127.0.0.1:0", true).getPort());
        assertEquals("[0:0:0:0:0:0:0:1]:9000", HostPort.format(HostPort.parse("[::1]:9000", false)));
        assertEquals("127.0.0.1:65535", HostPort.format(HostPort.parse("127.0.0.1:65535", false)));
    }

    @Test
    void refusesBadHostPortWithAReason()
    {
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse("127.0.0.1", false))
            .getMessage().contains("not HOST:PORT"));
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse("127.0.0.1:0", false))
            .getMessage().contains("[1, 65535]"));
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse("127.0.0.1:-1", true))
            .getMessage().contains("[0, 65535]"));
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse("::1:9000", false))
            .getMessage().contains("brackets"));
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse(":9000", false))
            .getMessage().contains("not HOST:PORT"));
        assertTrue(assertThrows(TypeConversionException.class, () -> HostPort.parse("host:port", false))
            .getMessage().contains("not a number"));
    }

    @Test
    void congestionNamesMatchEnumConstantsIgnoringCaseAndUnderscores()
    {
        final CongestionOption option = new CongestionOption();
        assertEquals(CongestionControlKind.NEW_RENO, option.convert("newreno"));
        assertEquals(CongestionControlKind.NEW_RENO, option.convert("NEW_RENO"));
        assertEquals(CongestionControlKind.NEW_RENO, option.convert("new-reno"));
        assertEquals(CongestionControlKind.BBR, option.convert("bbr"));
        for (final CongestionControlKind kind : CongestionControlKind.values())
        {
            assertEquals(kind, option.convert(kind.name()));
        }
        final TypeConversionException unknown = assertThrows(TypeConversionException.class,
            () -> option.convert("vegas"));
        assertTrue(unknown.getMessage().contains("available: " + CongestionOption.available()), unknown.getMessage());
    }

    @Test
    void idleNamesGiveTheMatchingStrategy()
    {
        final IdleOption.Converter converter = new IdleOption.Converter();
        assertInstanceOf(BusySpinIdleStrategy.class, converter.convert("spin").create());
        assertInstanceOf(YieldingIdleStrategy.class, converter.convert("YIELD").create());
        assertInstanceOf(DeadlineBackoffIdleStrategy.class, converter.convert("backoff").create());
        assertTrue(assertThrows(TypeConversionException.class, () -> converter.convert("fast")).getMessage()
            .contains("spin|yield|backoff"));
    }

    @Test
    void plainProgressPrintsOneLinePerSecondOfGivenTime()
    {
        final StringWriter text = new StringWriter();
        final Progress progress = new Progress(new PrintWriter(text), false, 10_000_000, 0);
        progress.update(500_000_000L, 1_000_000, 2_000_000, 100_000, 3);
        assertEquals("", text.toString(), "nothing before the first second");
        progress.update(1_000_000_000L, 5_000_000, 2_000_000, 100_000, 3);
        progress.update(1_500_000_000L, 6_000_000, 2_000_000, 100_000, 3);
        progress.update(2_000_000_000L, 10_000_000, 1_500_000, 120_000, 4);
        progress.finish();
        final String[] lines = text.toString().split("\n");
        assertEquals(2, lines.length, text.toString());
        assertEquals("t=1.0s sent 4.8/9.5 MiB (50%) goodput 40.0 Mbit/s  srtt 2.000 ms  cwnd 100000 B  " +
            "retransmits 3", lines[0]);
        assertTrue(lines[1].startsWith("t=2.0s sent 9.5/9.5 MiB (100%) goodput 40.0 Mbit/s  srtt 1.500 ms"),
            lines[1]);
    }

    @Test
    void terminalProgressRedrawsInPlace()
    {
        final StringWriter text = new StringWriter();
        final Progress progress = new Progress(new PrintWriter(text), true, 1000, 0);
        progress.update(200_000_000L, 500, 1_000_000, 10_000, 0);
        progress.update(400_000_000L, 1000, 1_000_000, 10_000, 0);
        progress.finish();
        final String drawn = text.toString();
        assertTrue(drawn.startsWith("\r[############------------]  50%"), drawn);
        assertTrue(drawn.contains("\r[########################] 100%"), drawn);
        assertTrue(drawn.endsWith(System.lineSeparator()) && drawn.indexOf('\n') == drawn.length() - 1, drawn);
    }
}
