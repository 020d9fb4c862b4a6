package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.Keys;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code texthash:/file}: a postmap(1) input file read into memory (Postfix's dict_thash).
 * The instance flags decide, as in Postfix ({@link OpenFlags}): keys are lowercased at load
 * only under {@code fold_fix} (dialect C clients; never for dialect A/B, whose open carries
 * no fold bit), and a duplicate key is ignored, replaces, warns or makes the table unusable
 * per the {@code dup_*} bits. The file is re-read when it changes ({@link WatchedFile}), so
 * an edit takes effect within a second without a restart; a re-read that fails keeps the
 * previous contents.
 */
public final class TexthashType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");

    @Override
    public String name() { return "texthash"; }

    @Override
    public int openFlagsMask() { return OpenFlags.IN_MEMORY_MASK; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        Path file = Path.of(name);
        try {
            OpenFlags flags = context.flags();
            return WatchedFile.open(file, "texthash:" + name, () -> new TexthashTable(file, flags));
        } catch (DuplicateKeyException e) {
            throw new TableOpenException(e.getMessage());
        } catch (IOException e) {
            throw TableOpenException.open("database " + name, e);
        }
    }

    /** A duplicate key where the flags allow none (dict_thash.c makes the table a surrogate). */
    static final class DuplicateKeyException extends IOException {
        DuplicateKeyException(String message) { super(message); }
    }

    /** Parses the postmap input format as an instance with {@code flags} loads it. */
    static Latin1Map parse(Path file, OpenFlags flags) throws IOException {
        Latin1Map map = new Latin1Map();
        String content = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (PostfixLines.Line line : PostfixLines.parse(content, file.toString(), log::warn)) {
            String text = line.text();
            String key;
            String value;
            int i;
            if (text.charAt(0) == '"') {
                // a quoted key may contain whitespace; postmap stores it quotes and all
                for (i = 1; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\') i++;
                }
                i = Math.min(i + 1, text.length());
                key = text.substring(0, i);
            } else {
                for (i = 0; i < text.length() && !Character.isWhitespace(text.charAt(i)); i++) { }
                key = text.substring(0, i);
            }
            value = i < text.length() ? text.substring(i).strip() : "";
            if (key.isEmpty() || value.isEmpty()) {
                log.warn("{}, line {}: expected format: key whitespace value", file, line.number());
                continue;
            }
            if (key.endsWith(":")) {
                log.warn("{}, line {}: record is in \"key: value\" format; is this an alias file?", file, line.number());
            }
            String stored = flags.foldKeysAtLoad() ? Keys.asciiLower(key) : key;
            if (map.containsKey(stored)) {
                switch (flags.duplicates()) {
                    case IGNORE -> { }
                    case REPLACE -> map.put(stored, value);
                    case WARN -> log.warn("{}, line {}: duplicate entry: \"{}\"", file, line.number(), key);
                    case FAIL -> throw new DuplicateKeyException(
                            file + ", line " + line.number() + ": duplicate entry: \"" + key + "\"");
                }
            } else {
                map.put(stored, value);
            }
        }
        map.trim();
        return map;
    }

    /** One reading of the file; {@link WatchedFile} swaps in a new one when the file changes. */
    private static final class TexthashTable implements LookupTable {
        /** Tables smaller than this leave too little garbage to be worth a full collection. */
        private static final int BIG = 1 << 20;
        private final Latin1Map map;

        TexthashTable(Path file, OpenFlags flags) throws IOException {
            this.map = parse(file, flags);
            // the load's garbage (the file's text, its lines, the arrays outgrown) was promoted
            // to the old generation, which otherwise stays that large: collect it now so that the
            // heap shrinks to what the table holds (README: Footprint)
            if (map.bytes() >= BIG) System.gc();
        }

        @Override
        public int implFlags() { return DictFlags.FIXED; }

        @Override
        public String lookup(String key) { return map.get(key); }

        @Override
        public Iterator<Map.Entry<String, String>> entries() { return map.entries(); }
    }
}
