package io.conduit.bench.jmh;

/**
 * JVM options every forked benchmark JVM needs, for {@code @Fork(jvmArgsPrepend = ...)}. Agrona fails without the
 * first two (see native-config/jvm.options); keeping them in the annotations lets a bare
 * {@code java -jar conduit-bench.jar} run every benchmark. Prepend, because JMH's {@code -jvmArgs} and
 * {@code -jvmArgsAppend} options replace the annotation's list of the same name, and those are the ones people use.
 */
public final class ForkedJvm
{
    public static final String OPEN_INTERNAL_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";
    public static final String OPEN_ZIP = "--add-opens=java.base/java.util.zip=ALL-UNNAMED";
    public static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** A fixed, modest heap: allocation is measured per operation, and the machine is shared. */
    public static final String HEAP = "-Xmx1g";

    private ForkedJvm()
    {
    }
}
