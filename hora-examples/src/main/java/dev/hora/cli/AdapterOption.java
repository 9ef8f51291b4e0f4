package dev.hora.cli;

import dev.hora.config.AdapterKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code --adapter}: an {@link AdapterKind} by its command-line name, or {@code none} (a linear probe,
 * only the head trains), which becomes {@code null}. "none" exists only here, at the command line.
 */
final class AdapterOption implements CommandLine.ITypeConverter<AdapterKind> {
    static final String NONE = "none";

    @Override
    public AdapterKind convert(String value) {
        if (value.trim().equalsIgnoreCase(NONE)) {
            return null;
        }
        try {
            return AdapterKind.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("unknown adapter '" + value + "'; choose one of " + new Names());
        }
    }

    /** The candidates shown in the help: hora, mh-lora, lora, none. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> n = new ArrayList<>(Arrays.stream(AdapterKind.values()).map(AdapterKind::cliName).toList());
            n.add(0, n.remove(n.indexOf("hora")));
            n.add(NONE);
            return n.iterator();
        }

        @Override
        public String toString() {
            List<String> l = new ArrayList<>();
            iterator().forEachRemaining(l::add);
            return l.toString();
        }
    }
}
