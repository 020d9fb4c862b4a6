package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;

/**
 * texthash: the same file through Debian's postmap and through our table, key by key, with
 * the flags postmap opens it with ({@code warn_dup|lock|fold_fix|utf8_request}, 540737).
 * That is the path a dialect C (3.11+) client takes through the proxy too: the server opens
 * the table with the client's own instance flags. Dialects A and B open it with other flags
 * (no folding, no duplicate rule): those are compared with the real proxymap over its socket
 * in {@code it.OpenFlagsInteropTest} and {@code it.FlagVectorsTest}.
 */
class TexthashDifferentialTest {
    /** what postmap -q (and a 3.11+ client through the proxy) opens the table with */
    private static final int POSTMAP_FLAGS = 540737;

    private static final String FILE = String.join("\n",
            "# comment",
            "alice@example.com    alice@mailhost.example.com",
            "Mixed@Example.COM\tmixed-target",
            "continued   first part",
            "   second part,",
            "# a comment between continuation lines",
            "\tthird part",
            "spaces@example.com   value with   internal  spaces   ",
            "\"quoted key\"   quoted value",
            "dup  first",
            "dup  second",
            "utf8@exämple.com   wert-ä",
            "nothing",
            "",
            "last   line without newline");

    @Test
    void answersEqualPostmapsOnTheSameFile() throws Exception {
        Postmap postmap = Postmap.create();
        Path file = postmap.config().resolve("t");
        Files.write(file, FILE.getBytes(StandardCharsets.UTF_8));
        List<String> keys = List.of("alice@example.com", "mixed@example.com", "continued",
                "spaces@example.com", "quoted key", "\"quoted key\"", "dup", "utf8@exämple.com", "nothing", "last",
                "second", "missing");
        List<String> wire = keys.stream().map(Differential::bytes).toList();
        try (LookupTable ours = new TexthashType().open(file.toString(), new OpenContext(false, POSTMAP_FLAGS, n -> null, null))) {
            assertEquals(List.of(), Differential.compare("texthash", postmap.query("texthash:" + file, wire), ours, wire));
        }
    }
}
