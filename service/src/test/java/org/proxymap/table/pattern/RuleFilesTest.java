package org.proxymap.table.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.file.Differential;
import org.proxymap.table.file.Postmap;

/**
 * Hand-written rule files exercising every feature and error of regexp_table(5),
 * pcre_table(5) and cidr_table(5): same answers as postmap, and warnings for the same lines.
 */
class RuleFilesTest {
    static final String REGEXP = String.join("\n",
            "# comment",
            "/^(user)\\+([^@]+)@(example\\.com)$/   $1@$3 tag=${2} dollar=$$ paren=$(1)",
            "if /@example\\.org$/",
            "/^postmaster@/ root",
            "if !/^no/",
            "/^(.)(.*)@/   first=$1 rest=$2",
            "endif",
            "/./ inside-org",
            "endif",
            "/^CaSe$/i  case-sensitive",
            "/^case$/   case-insensitive",
            "/^a\\(b*\\)c$/x  bre=$1",
            "/^line$/m  multiline",
            "/^multi",
            "  line\\.com$/   continued",
            "/(x)(y)/  bad $3",
            "!/(neg)/  bad $1",
            "/abc/q  bad flag",
            "/[z-a]/  bad range",
            "/unclosed  missing delimiter",
            "endif",
            "/nothing/",
            "/^first@/!/second/ two-patterns",
            "/^[[:upper:]]+$/ upper-class",
            "/^[[:digit:]]{2,3}$/ digits",
            "/^(a|ab)(c|bcd)(d*)$/ alt=$1,$2,$3",
            "/^x(a|ab)(bc|c)$/ three=$1,$2",
            "/^y(a*)(a|b)*$/ two=$1,$2",
            "/^z(a|b)*$/ star=$1",
            "/^(ü+)@/ utf8=$1",
            "/\\<word\\>/ gnu-word",
            "!/@/  no-at-sign",
            "") + "\n";

    static final String PCRE = String.join("\n",
            "/^(user)\\+([^@]+)@(example\\.com)$/   $1@$3 tag=${2}",
            "if /@example\\.org$/",
            "/^(.)(.*?)@/   lazy=$1|$2",
            "endif",
            "/^(a+?)(a*)$/U  ungreedy=$1|$2",
            "/b$/E  dollar-end-only",
            "/^x.y$/s  dotall-off",
            "/ a b c /x  extended",
            "/anch/A  anchored",
            "/^[[:alpha:]]+[[:^alpha:]]$/ posix-class",
            "/(?P<n>zz)(?P=n)/ named=$1",
            "/\\x41\\x{42}/  hex",
            "/(x)(y)/  bad $3",
            "/[unclosed/  bad regex",
            "/abc/X  obsolete",
            "/ok/ last",
            "") + "\n";

    static final String CIDR = String.join("\n",
            "192.168.1.0/24    lan",
            "[10.0.0.1]        bracketed",
            "[10.0.0.0/8]      bracketed-net",
            "!172.16.0.0/12    not-private-172",
            "if 2001:db8::/32",
            "2001:db8::1       v6-host",
            "2001:DB8:0:1::/64 v6-net",
            "endif",
            "1.2.3.4/24        host-bits",
            "010.1.1.1         leading-zero",
            "1.2.3.0/33        bad-mask",
            "1.2.3.0/x         bad-mask-value",
            "::ffff:1.2.3.4    mapped",
            "endif",
            "5.6.7.8",
            "if 1.2.3.4 extra",
            "") + "\n";

    static List<String> keys() {
        List<String> k = new ArrayList<>(List.of("user+foo@example.com", "USER+Foo@Example.COM", "postmaster@example.org",
                "noone@example.org", "bob@example.org", "xyz", "CaSe", "case", "CASE", "abbbc", "ac", "line", "multiline.com",
                "first@x", "first@second", "ABC", "ab", "123", "1234", "abcd", "a word here", "awordb", "userX@y",
                "aaaa", "ab", "xb", "x\ny", "abc", "anchor", "xanch", "abc+", "zzzz", "AB", "ok", "x.y", "xy", "okay",
                "192.168.1.77", "10.0.0.1", "10.9.9.9", "172.16.5.5", "8.8.8.8", "2001:db8::1", "2001:db8:0:1::5",
                "2001:db8:1::1", "::ffff:1.2.3.4", "xabc", "yaab", "zab", "zaba", "1.2.3.4", "5.6.7.8", "::1"));
        k.add(Differential.bytes("üü@x"));
        k.add(Differential.bytes("ÜÜ@x"));
        k.removeIf(s -> s.contains("\n"));
        return k;
    }

    static final Pattern LINE = Pattern.compile("(?:regexp|pcre|cidr) map [^,]*, line (\\d+)");

    static TreeSet<Integer> warnedLines(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        Matcher m = LINE.matcher(text);
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out;
    }

    void sameAsPostmap(String type, String content, java.util.function.BiFunction<String, List<String>, LookupTable> open)
            throws Exception {
        Postmap postmap = Postmap.create();
        Path file = postmap.config().resolve(type + "-features");
        Files.writeString(file, content, StandardCharsets.ISO_8859_1);
        List<String> warnings = new ArrayList<>();
        LookupTable ours = open.apply(file.toString(), warnings);
        List<String> keys = keys();
        Map<String, String> expected = postmap.query(type + ":" + file, keys);
        assertTrue(expected.size() > 5, "postmap matched " + expected);
        assertEquals(List.of(), Differential.compare(type, expected, ours, keys));
        Postmap.Result r = postmap.run("xyz\n", "-q", "-", type + ":" + file);
        assertEquals(warnedLines(r.stderr()), warnedLines(String.join("\n", warnings)),
                "postmap:\n" + r.stderr() + "\nours:\n" + String.join("\n", warnings));
    }

    @Test
    void regexpFeaturesAndErrors() throws Exception {
        sameAsPostmap("regexp", REGEXP, (f, w) -> new PatternTable(new RuleFileParser(
                dialect(new RegexpType()), f, false, w::add).parse(read(f), f), "regexp map " + f, w::add));
    }

    @Test
    void pcreFeaturesAndErrors() throws Exception {
        sameAsPostmap("pcre", PCRE, (f, w) -> new PatternTable(new RuleFileParser(
                dialect(new PcreType()), f, false, w::add).parse(read(f), f), "pcre map " + f, w::add));
    }

    @Test
    void cidrFeaturesAndErrors() throws Exception {
        sameAsPostmap("cidr", CIDR, (f, w) -> new CidrType.CidrTable(CidrType.parse(read(f), f, w::add)));
    }

    @Test
    void inlineFormAsPostfix37() throws Exception {
        Postmap postmap = Postmap.create();
        String name = "{ {/^a(.*)/ A$1}, {/b/ B}, { /c/ C with space } }";
        LookupTable ours = new RegexpType().open(name, RegexpDifferentialTest.READ);
        List<String> keys = List.of("axe", "b", "c", "d");
        assertEquals(List.of(), Differential.compare("inline", postmap.query("regexp:" + name, keys), ours, keys));
        assertEquals("C with space", ours.lookup("c"));
        LookupTable cidr = new CidrType().open("{ {10.0.0.0/8 ten}, {::1 one} }", RegexpDifferentialTest.READ);
        assertEquals("ten", cidr.lookup("10.1.2.3"));
        assertEquals("one", cidr.lookup("::1"));
    }

    @Test
    void noRegsubAndProxywriteAndMissingFile() throws Exception {
        var noRegsub = new OpenContext(false, org.proxymap.protocol.DictFlags.NO_REGSUB, k -> null, null);
        LookupTable t = new RegexpType().open("{ {/(a)/ $1}, {/a/ plain} }", noRegsub);
        assertEquals("plain", t.lookup("a"));
        var write = new OpenContext(true, 0, k -> null, null);
        var e = org.junit.jupiter.api.Assertions.assertThrows(TableOpenException.class,
                () -> new PcreType().open("/etc/x", write));
        assertEquals("pcre:/etc/x map requires O_RDONLY access mode", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(TableOpenException.class,
                () -> new CidrType().open("/nonexistent/file", RegexpDifferentialTest.READ));
        assertEquals("open /nonexistent/file: No such file or directory", e.getMessage());
    }

    static RuleFileParser.Dialect dialect(RuleFileType t) { return t.dialect(); }

    static String read(String f) {
        try {
            return new String(Files.readAllBytes(Path.of(f)), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
