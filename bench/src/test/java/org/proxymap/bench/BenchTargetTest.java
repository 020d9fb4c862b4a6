package org.proxymap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The report's verdicts against the issues' targets, where a target depends on the ceiling. */
class BenchTargetTest {
    private static final double NONE = Double.NaN;

    @Test
    void ldapTwiceCountsOnlyWhereTheCeilingAllowsIt() {
        assertEquals("MISSED: < 2× Postfix", BenchReport.target("ldap", 16, 1.5, 0.9, NONE, 1.0, true));
        assertEquals("met (2× Postfix is beyond the ceiling)", BenchReport.target("ldap", 16, 1.5, 0.9, NONE, 1.0, false));
        assertEquals("MISSED: < Postfix (2× Postfix is beyond the ceiling)", BenchReport.target("ldap", 64, 0.9, 1, NONE, 1, false));
        assertEquals("met", BenchReport.target("ldap", 4, 1.2, 1, NONE, 1, false));
        assertEquals("met", BenchReport.target("ldap", 16, 2.1, 1, NONE, 1, true));
    }

    @Test
    void otherTablesIgnoreTheCeiling() {
        assertEquals("MISSED: < 2× Postfix, < 0.7× null", BenchReport.target("btree", 16, 1.6, 0.5, 0.4, NONE, false));
    }
}
