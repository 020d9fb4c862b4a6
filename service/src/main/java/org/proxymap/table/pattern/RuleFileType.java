package org.proxymap.table.pattern;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.file.PostfixLines;
import org.proxymap.table.file.WatchedFile;

/**
 * Opening a rule file (regexp:, pcre:) the way dict_stream_open() does: a path, or the inline
 * form {@code {{rule}, {rule}}}; read-only (proxywrite gets "requires O_RDONLY access mode").
 * A file is re-read when it changes, within a second ({@link WatchedFile}).
 */
abstract class RuleFileType implements TableType {
    static final Logger log = LogManager.getLogger("proxymap");

    abstract RuleFileParser.Dialect dialect();

    /** Only {@code no_regsub} changes how a rule file opens; fold_mul applies per request. */
    @Override
    public int openFlagsMask() { return DictFlags.NO_REGSUB; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        return watched(name(), name, context, () -> {
            String content = readRules(name(), name, context);
            RuleFileParser parser = new RuleFileParser(dialect(), name, context.flags().noRegsub(),
                    msg -> log.warn(msg));
            return new PatternTable(parser.parse(content, name), dialect().kind() + " map " + name, msg -> log.warn(msg));
        });
    }

    /**
     * A rule file that is re-read when it changes ({@link WatchedFile}); an inline table
     * ({@code {...}}) has no file to watch. Shared with cidr:.
     */
    static LookupTable watched(String type, String name, OpenContext context, WatchedFile.Opener opener)
            throws TableOpenException {
        if (name.startsWith("{") || context.writable()) {
            try {
                return opener.open();
            } catch (java.io.IOException e) {
                throw new TableOpenException("open " + name + ": " + e.getMessage());
            }
        }
        try {
            return WatchedFile.open(Path.of(name), type + ":" + name, opener);
        } catch (java.io.IOException e) {
            throw TableOpenException.open(name, e);
        }
    }

    /** The rule text of a path or inline table; shared with cidr:. */
    static String readRules(String type, String name, OpenContext context) throws TableOpenException {
        if (context.writable()) {
            throw TableOpenException.readOnly(type, name);
        }
        if (name.startsWith("{")) {
            String text = PostfixLines.inlineToMultiline(name);
            if (text == null) throw new TableOpenException(type + " map: missing '}' in \"" + name + "\"");
            return text;
        }
        try {
            return new String(Files.readAllBytes(Path.of(name)), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw TableOpenException.open(name, e);
        }
    }
}
