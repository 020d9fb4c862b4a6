package org.proxymap.table.ldap;

/**
 * Postfix's quoting of key parts for the search base and the filter: each listed
 * character becomes {@code \XX} (upper-case hex), everything else is copied, so a key
 * cannot change the filter's structure or the DN's.
 */
final class LdapQuote {
    private LdapQuote() {}

    /** {@code rfc2253_quote}: space, tab, {@code " # + , ; < > \} everywhere in the value. */
    static String dn(String s) { return quote(s, " \t\"#+,;<>\\"); }

    /** {@code rfc2254_quote}: {@code * ( ) \}. */
    static String filter(String s) { return quote(s, "*()\\"); }

    private static String quote(String s, String special) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (special.indexOf(c) >= 0) {
                if (sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                sb.append('\\').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
