package dev.k8sebpf.agent.config;

import java.util.Locale;

/** LOG_LEVEL values; {@link #simpleLoggerName()} is what slf4j-simple's defaultLogLevel property expects. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    public String simpleLoggerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
