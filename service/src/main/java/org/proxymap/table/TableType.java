package org.proxymap.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One table type ({@code texthash}, {@code mysql}, ...). Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.proxymap.table.TableType}.
 *
 * <p>Reload and check use {@link #check} and {@link #fingerprint}: a reload refuses a
 * configuration in which an approved table's {@link #check} reports a problem, and re-opens
 * an open table whose {@link #fingerprint} changed (the others keep their instances and
 * pools). {@code proxymap check} calls {@link #check}, then {@link #open} and closes the
 * table again, so {@link #open} should fail when the table is unusable (a database table
 * should connect there, or test a connection of its pool).
 */
public interface TableType {

    /** The type as written before the first colon, e.g. {@code "texthash"}. */
    String name();

    /**
     * Opens {@code name} (the part after {@code type:}).
     *
     * @throws TableOpenException when the table cannot be used; the registry then serves a
     *         surrogate that answers RETRY, as Postfix does
     */
    LookupTable open(String name, OpenContext context) throws TableOpenException;

    /**
     * The client flag bits that change how this type opens a table or what it answers
     * ({@link OpenFlags}): the registry shares one instance among clients whose instance
     * flags agree on these bits. The default, every bit that can matter
     * ({@link OpenFlags#LOAD_MASK}), is always correct; a type narrows it to share more
     * (a table that reads nothing at open and folds per request returns 0).
     */
    default int openFlagsMask() {
        return OpenFlags.LOAD_MASK;
    }

    /**
     * Checks the definition of {@code name} (its file parses, its settings are valid) without
     * contacting servers: cheap enough to run for every approved table on every reload.
     *
     * @return one line per problem, each naming file:line where there is one and saying how
     *         to fix it; empty when the definition is fine (the default: nothing to check)
     */
    default List<String> check(String name, OpenContext context) {
        return List.of();
    }

    /**
     * What {@code check} mode runs for an approved table: the definition check, then an
     * open and close; an open table that is a {@link ServerCheck} also reaches its server.
     * One line per problem; empty when the table is usable.
     */
    default List<String> probe(String name, OpenContext context) {
        List<String> problems = check(name, context);
        if (!problems.isEmpty()) return problems;
        try (LookupTable t = open(name, context)) {
            if (t instanceof ServerCheck server) server.check();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        } catch (TableException e) {
            return List.of(name + ": " + e.getMessage());
        }
        return List.of();
    }

    /**
     * What an open instance of {@code name} is made from, as a digest: when it differs from
     * the one taken at the previous load, a reload re-opens the table (the old instance closes
     * after its requests in flight). The default covers tables whose name is a file (texthash,
     * regexp, cidr, mysql's .cf, ...): the file's content, or "absent"; other names (inline,
     * static) define themselves, so the default for them is the empty string. Override when an
     * instance depends on more (included files, {@code $name} parameters).
     */
    default String fingerprint(String name, OpenContext context) {
        return fileFingerprint(name);
    }

    /** SHA-256 of the file {@code name} when it is an absolute path, "absent" when it does not exist, else "". */
    static String fileFingerprint(String name) {
        if (name == null || !name.startsWith("/")) return "";
        Path p = Path.of(name);
        try {
            if (!Files.isRegularFile(p)) return "absent";
            // streamed in small reads: reading the whole file at once would leave a file-sized
            // array in the old generation and a file-sized temporary direct buffer cached by the
            // JDK in the reading thread, at every start and reload (85 MB for a 1M-key texthash)
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(p)) {
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            return "";
        }
    }
}
