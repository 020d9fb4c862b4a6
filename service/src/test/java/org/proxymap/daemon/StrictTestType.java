package org.proxymap.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.simple.MapTable;

/**
 * A test table type with a definition check, as the mysql and regexp types have:
 * {@code strict:/file}, lines "key value"; any other line is a problem with file:line.
 * Counts opens and closes so tests can see which instances a reload kept.
 */
final class StrictTestType implements TableType {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public String name() { return "strict"; }

    @Override
    public List<String> check(String name, OpenContext context) {
        List<String> problems = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of(name));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().split("\\s+").length != 2) {
                    problems.add(name + ", line " + (i + 1) + ": expected \"key value\"; fix or remove the line");
                }
            }
        } catch (IOException e) {
            problems.add(name + ": " + e + "; create the file");
        }
        return problems;
    }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        Map<String, String> m = new HashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of(name))) {
                String[] kv = l.strip().split("\\s+");
                if (kv.length == 2) m.put(kv[0], kv[1]);
            }
        } catch (IOException e) {
            throw new TableOpenException("open " + name + ": " + e.getMessage());
        }
        opened.incrementAndGet();
        return new MapTable(m, false) {
            @Override
            public void close() { closed.incrementAndGet(); }
        };
    }

    /** The types this build has, plus {@code this}. */
    Map<String, TableType> withBuiltins() {
        Map<String, TableType> m = new HashMap<>();
        for (TableType t : ServiceLoader.load(TableType.class)) m.put(t.name(), t);
        m.put(name(), this);
        return m;
    }
}
