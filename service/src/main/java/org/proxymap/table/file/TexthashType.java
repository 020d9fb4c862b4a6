package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.Keys;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code texthash:/file}: a postmap(1) input file read into memory (Postfix's dict_thash).
 * Keys are lowercased at load, as {@code postmap} does by default; a duplicate key keeps
 * the first value with a warning. The file is re-read when its modification time or size
 * changes (checked at most once a second), so an edit takes effect without a restart;
 * a re-read that fails keeps the previous contents.
 */
public final class TexthashType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");

    @Override
    public String name() { return "texthash"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        Path file = Path.of(name);
        try {
            return new TexthashTable(file);
        } catch (NoSuchFileException e) {
            throw new TableOpenException("open database " + name + ": No such file or directory");
        } catch (IOException e) {
            throw new TableOpenException("open database " + name + ": " + e.getMessage());
        }
    }

    /** Parses the postmap input format; {@code where} names the file in warnings. */
    static Map<String, String> parse(Path file) throws IOException {
        Map<String, String> map = new HashMap<>();
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
            String folded = Keys.asciiLower(key);
            if (map.putIfAbsent(folded, value) != null) {
                log.warn("{}, line {}: duplicate entry: \"{}\"", file, line.number(), folded);
            }
        }
        return map;
    }

    private static final class TexthashTable implements LookupTable {
        private final Path file;
        private volatile Map<String, String> map;
        private volatile FileStamp stamp;
        private volatile long nextCheckNanos;

        TexthashTable(Path file) throws IOException {
            this.file = file;
            this.stamp = FileStamp.of(file);
            this.map = parse(file);
            this.nextCheckNanos = System.nanoTime() + 1_000_000_000L;
        }

        private void refreshIfChanged() {
            long now = System.nanoTime();
            if (now - nextCheckNanos < 0) return;
            synchronized (this) {
                if (now - nextCheckNanos < 0) return;
                nextCheckNanos = now + 1_000_000_000L;
                try {
                    FileStamp s = FileStamp.of(file);
                    if (!s.equals(stamp)) {
                        map = parse(file);
                        stamp = s;
                        log.info("table texthash:{} has changed -- re-read {} entries", file, map.size());
                    }
                } catch (IOException e) {
                    log.warn("table texthash:{} could not be re-read ({}); serving its previous contents", file, e.toString());
                }
            }
        }

        @Override
        public int implFlags() { return DictFlags.FIXED; }

        @Override
        public String lookup(String key) {
            refreshIfChanged();
            return map.get(key);
        }

        @Override
        public Iterator<Map.Entry<String, String>> entries() {
            refreshIfChanged();
            return map.entrySet().iterator();
        }
    }
}
