package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cases postconf 3.7 was probed with (see PostconfParityTest for the live comparison). */
class ExpanderTest {
    private final Map<String, String> p = Map.of("ua", "last", "ub", "two", "ue", "$nosuch", "uf", "", "lvl", "3.6");
    private final Expander x = new Expander(p::get);

    private String e(String s) throws ConfigException { return x.expand(s); }

    @Test
    void namesAndConditionals() throws ConfigException {
        assertEquals("last two last", e("$ua ${ub} $(ua)"));
        assertEquals("last-x", e("$ua-x"));
        assertEquals("yes   no", e("${ua?yes} ${nosuch?yes} ${ua:no} ${nosuch:no}"));
        assertEquals(" b  b", e("$(ua? b) ${ua ? b}"));
        assertEquals("xy}", e("${ua?x}y}"));
        assertEquals("x:y", e("${ua?x:y}"));
        assertEquals("x y", e("${ua?{x}:{y}} ${nosuch?{x}:{y}}"));
        assertEquals(" a,b {a},{b}", e("${ua:{a,b}} ${ua?{a,b}} ${ua?{{a},{b}}}"));
        assertEquals("yes:no ||empty", e("${ue?yes:no} ${ue:empty}|${uf?yes}|${uf:empty}"));
        assertEquals("$ $ua", e("$$ $$ua"));
    }

    @Test
    void relationalExpressions() throws ConfigException {
        assertEquals("ge gt eq", e("${{10} < {9} ? {lt} : {ge}} ${{abc} > {9} ? {gt} : {le}} ${{7}!={07}?{ne}:{eq}}"));
        assertEquals("ne", e("${{ 5 } == {5} ? {eq} : {ne}}"));
        assertEquals("true|", e("${{a}=={a}}|${{a}=={b}}"));
        assertEquals("y y n", e("${{2} <level {10} ? {y} : {n}} ${{3.6.1} >level {3.6} ? {y} : {n}} ${{$lvl} <level {3.6} ? {y} : {n}}"));
        assertEquals("", e("${{1}=={1}:{f}}"));
    }

    @Test
    void errorsAsPostconfReportsThem() {
        for (String[] c : new String[][] {
                {"cost$", "empty macro name"}, {"a $ b", "empty macro name"}, {"${}", "empty macro name"},
                {"${ua", "truncated macro reference"}, {"$(ua", "truncated macro reference"},
                {"${ua.x}", "attribute name syntax error"}, {"${ua?{x} y}", "\":\" expected"},
                {"${ua:{x}:{y}}", "unexpected input"}, {"${{x} <level {2} ? {y}}", "malformed compatibility level"},
                {"${{a} =~ {b}}", "expected at"}, {"${{a} <foo {b}}", "bad operator suffix"}}) {
            ConfigException ex = assertThrows(ConfigException.class, () -> e(c[0]), c[0]);
            assertTrue(ex.getMessage().contains(c[1]), c[0] + ": " + ex.getMessage());
        }
    }

    @Test
    void loopsAreNamed() {
        Expander loop = new Expander(Map.of("a", "$b", "b", "x ${c}", "c", "$(a)")::get);
        ConfigException ex = assertThrows(ConfigException.class, () -> loop.value("a"));
        assertEquals("parameter reference loop: $a -> $b -> $c -> $a", ex.getMessage());
    }
}
