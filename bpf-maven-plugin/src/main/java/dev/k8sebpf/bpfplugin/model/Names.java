package dev.k8sebpf.bpfplugin.model;

import java.util.Locale;
import javax.lang.model.SourceVersion;

/** C identifiers to Java identifiers. */
public final class Names {
    private Names() {}

    /** {@code connect_event} → {@code ConnectEvent}. */
    public static String upperCamel(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("[_.-]+")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    /** {@code emit_excluded} → {@code emitExcluded}; Java keywords get a trailing underscore. */
    public static String lowerCamel(String snake) {
        String upper = upperCamel(snake);
        String lower = upper.isEmpty() ? upper : Character.toLowerCase(upper.charAt(0)) + upper.substring(1);
        return SourceVersion.isKeyword(lower) ? lower + "_" : lower;
    }

    /** {@code handle_connect4} → {@code HANDLE_CONNECT4}; camelCase humps become underscores. */
    public static String upperSnake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
