package org.proxymap.table.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code sqlite:/path/file.cf}: Postfix's sqlite_table(5) ({@code dbpath}, {@code query} or
 * the legacy fields, {@code result_format}, {@code domain}, {@code expansion_limit}),
 * read-only, through the system's libsqlite3 (see {@link Sqlite3}).
 *
 * <p>Postfix sets no busy timeout, so a lookup while a writer holds the database locked
 * fails at once (and then ends the proxymap process). Here a lookup waits up to
 * {@link #BUSY_TIMEOUT_MILLIS} for the lock, then answers RETRY: never a hang, never a crash.
 */
public final class SqliteType implements TableType {
    /** how long a lookup waits for a writer's lock before it answers RETRY */
    static final int BUSY_TIMEOUT_MILLIS = 100;

    /** One sqlite_table(5) definition. */
    record Config(String name, String where, String dbpath, Templates templates, String domain, int expansionLimit) {
        static Config load(String name, Function<String, String> mainCf) throws TableOpenException {
            CfgParser p = CfgParser.load(name, mainCf);
            String dbpath = p.str("dbpath", "", 1);
            Templates t = p.sqlTemplates(p.str("result_format", "%s", 1));
            int limit = p.integer("expansion_limit", 0, 0);
            String where = CfgParser.isFile(name) ? name : "main.cf (" + name + "_*)";
            return new Config(name, where, dbpath, t, p.str("domain", "", 0), limit);
        }
    }

    @Override
    public String name() { return "sqlite"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw new TableOpenException("sqlite:" + name + " map requires O_RDONLY access mode");
        Config cf = Config.load(name, context.parameters());
        Sqlite3 lib = library();
        DomainList domain = cf.domain().isEmpty() ? null : new DomainList(cf.domain(), name, context);
        try {
            return new SqliteTable(cf, domain, lib);
        } catch (TableOpenException | RuntimeException e) {
            if (domain != null) domain.close();
            throw e;
        }
    }

    private static Sqlite3 library() throws TableOpenException {
        Sqlite3 lib = Sqlite3.get();
        if (lib == null) throw new TableOpenException("sqlite: " + Sqlite3.loadError());
        return lib;
    }

    /** The definition parses (file:line for what Postfix rejects), the library loads, the domain list parses. */
    @Override
    public List<String> check(String name, OpenContext context) {
        try {
            Config cf = Config.load(name, context.parameters());
            library();
            if (!cf.domain().isEmpty()) new DomainList(cf.domain(), name, context).close();
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
    }

    /** {@code check} mode: opens the database and runs the query once with a key no table holds. */
    @Override
    public List<String> probe(String name, OpenContext context) {
        List<String> problems = check(name, context);
        if (!problems.isEmpty()) return problems;
        try (LookupTable t = open(name, context)) {
            t.lookup("proxymap-check-probe@invalid");
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        } catch (TableException e) {
            return List.of(e.getMessage());
        }
    }

    /** The .cf file (or the main.cf values), the domain files, and whether the database exists. */
    @Override
    public String fingerprint(String name, OpenContext context) {
        StringBuilder sb = new StringBuilder(TableType.fileFingerprint(name));
        try {
            Config cf = Config.load(name, context.parameters());
            if (!CfgParser.isFile(name)) {
                sb.append("|legacy:").append(cf.dbpath()).append('|').append(cf.templates().query()).append('|')
                        .append(cf.templates().resultFormat()).append('|').append(cf.domain()).append('|').append(cf.expansionLimit());
            }
            sb.append("|db:").append(Files.exists(Path.of(cf.dbpath())));
            for (String item : cf.domain().split("[,\\s]+")) {
                String f = item.replaceFirst("^!+", "");
                if (f.startsWith("/")) sb.append("|dom:").append(TableType.fileFingerprint(f));
            }
        } catch (TableOpenException e) {
            sb.append("|bad:").append(e.getMessage());
        }
        return sb.toString();
    }
}
