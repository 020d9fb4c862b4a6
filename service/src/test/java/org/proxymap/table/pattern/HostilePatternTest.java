package org.proxymap.table.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.table.LookupTable;
import org.proxymap.table.file.Postmap;
import org.proxymap.testing.TestServer;

/**
 * A rule that backtracks catastrophically on a client-chosen key: without a match budget
 * {@code /^(a{1,30}){1,30}$/} takes 4 s on 22 a's and a '!' on Java's engine and doubles with
 * each further a; with it the rule gives up after its budget of key reads, does not
 * match (as PCRE after a match-limit error) and the next rule answers.
 */
class HostilePatternTest {
    static final String EVIL = "/^(a{1,30}){1,30}$/ evil\n/!$/ bang\n";
    static final String KEY = "a".repeat(40) + "!";

    @Test
    void catastrophicRuleGivesUpAndTheNextRuleAnswers(@TempDir Path dir) throws Exception {
        for (RuleFileType type : List.of(new PcreType(), new RegexpType())) {
            Path file = dir.resolve(type.name());
            Files.writeString(file, EVIL);
            List<String> warnings = new java.util.ArrayList<>();
            LookupTable t = new PatternTable(new RuleFileParser(type.dialect(), file.toString(), false, warnings::add)
                    .parse(EVIL, file.toString()), type.name() + " map " + file, warnings::add);
            long before = MatchBudget.exceeded();
            // a bound that cannot flake: unbudgeted, 41 characters would take hours
            long start = System.nanoTime();
            String v = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> t.lookup(KEY));
            System.out.printf("%s: catastrophic rule on %d chars gave up after %.1f ms%n",
                    type.name(), KEY.length(), (System.nanoTime() - start) / 1e6);
            assertEquals("bang", v);
            assertTrue(MatchBudget.exceeded() > before, "counter moved");
            assertEquals(List.of(type.name() + " map " + file + ", line 1: match limit exceeded (key length 41)"
                    + ": rule skipped; rewrite the pattern without nested or adjacent unbounded repeats"), warnings);
            // the same rule on a harmless key still works
            assertEquals("evil", t.lookup("aaaa"));
        }
    }

    @Test
    void negatedAndIfRulesFailAsPcreDoesOnAMatchLimit(@TempDir Path dir) throws Exception {
        String rules = "!/^(a{1,30}){1,30}$/ negated\nIF /^(a{1,30}){1,30}$/\n/./ inside\nENDIF\n/!$/ after\n";
        LookupTable t = new PatternTable(new RuleFileParser(new PcreType().dialect(), "f", false, w -> { })
                .parse(rules, "f"), "pcre map f", w -> { });
        assertEquals("after", assertTimeoutPreemptively(Duration.ofSeconds(60), () -> t.lookup(KEY)));
    }

    @Test
    void throughTheDaemon() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:pcre:${config_directory}/evil");
        Files.writeString(dir.resolve("etc/evil"), EVIL);
        try (TestServer s = TestServer.start(dir)) {
            Postmap direct = Postmap.at(s.etc);
            long before = MatchBudget.exceeded();
            Map<String, String> got = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> direct.query("proxy:pcre:" + s.etc.resolve("evil"), List.of(KEY, "aaa")));
            assertEquals(Map.of(KEY, "bang", "aaa", "evil"), got);
            assertTrue(MatchBudget.exceeded() > before, "counter moved");
        }
    }
}
