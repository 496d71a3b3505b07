package dev.k8sebpf.agent.config;

/** A bad environment value; the message is the single line shown to the user. */
public final class ConfigException extends Exception {
    public ConfigException(String variable, String value, String expected) {
        // expected may quote part of the value (a comm that is too long), so it is escaped too
        super(variable + "=\"" + printable(value) + "\" is not valid: expected " + printable(expected));
    }

    /** Keeps the message on one line whatever the variable holds. */
    private static String printable(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
