package io.parley.examples.asyncfunc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The options of a command line: {@code --name value}, {@code --name=value} and bare
 * {@code --flag}s, each known in advance. Blank arguments are skipped, because a build tool may
 * pass an empty string where no argument was given.
 */
final class CommandLine {

    private final Map<String, String> values = new LinkedHashMap<>();

    private CommandLine() {
    }

    /**
     * Reads a command line.
     *
     * @param args the arguments
     * @param valued the options that take a value, e.g. {@code --port}
     * @param flags the options that take none, e.g. {@code --graceful}
     * @return the options given
     * @throws UsageException if an argument is not one of the options, an option is given twice,
     *         or a value is missing
     */
    static CommandLine parse(String[] args, Set<String> valued, Set<String> flags) {
        CommandLine line = new CommandLine();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i].strip();
            if (arg.isEmpty()) {
                continue;
            }
            String name = arg;
            @Nullable String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
                value = "";
            }
            else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].isBlank()) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args[++i].strip();
                }
            }
            else {
                throw new UsageException("unknown argument '" + arg + "'");
            }
            if (line.values.putIfAbsent(name, value) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        return line;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    long number(String name, long otherwise, long min, long max) {
        String text = values.get(name);
        if (text == null) {
            return otherwise;
        }
        long value;
        try {
            value = Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            throw new UsageException(name + ": '" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new UsageException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
        return value;
    }

    /** A command line that does not follow the program's usage. */
    static final class UsageException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
