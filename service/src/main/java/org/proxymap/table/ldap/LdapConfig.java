package org.proxymap.table.ldap;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.sql.CfgParser;
import org.proxymap.table.sql.Templates;

/**
 * The parameters of one ldap_table(5) definition, with Postfix's defaults and checks
 * ({@code dict_ldap_open()}): what Postfix treats as fatal is a {@link TableOpenException}
 * with file:line; what it only warns about (an unknown scope, version or dereference value,
 * the cache parameters) is corrected as Postfix does and listed in {@link #warnings}.
 */
final class LdapConfig {
    static final int BIND_NONE = 0, BIND_SIMPLE = 1, BIND_SASL = 2;
    static final int SCOPE_BASE = 0, SCOPE_ONE = 1, SCOPE_SUB = 2;

    /** One server_host entry, normalised to a URL as Postfix does. */
    record Server(String scheme, String host, int port, String socketPath) {
        String url() {
            return scheme.equals("ldapi") ? "ldapi://" + socketPath : scheme + "://" + host + ":" + port;
        }
    }

    final String name;
    final List<Server> servers;
    final List<String> warnings = new ArrayList<>();
    int version;
    final boolean ldapSsl;
    final int scope;
    final String searchBase;
    final int timeout;
    final String queryFilter;
    final String resultFormat;
    final Templates templates;
    final boolean dynamicBase;
    final String domain;
    /** terminal, then leaf, then regular, then special attributes: Postfix's order. */
    final List<String> attributes;
    final int numTerminal;
    final int numLeaf;
    /** terminal + leaf + regular */
    final int numAttributes;
    final int bind;
    final String bindDn;
    final String bindPw;
    final int recursionLimit;
    final int expansionLimit;
    final int sizeLimit;
    final int dereference;
    final boolean chaseReferrals;
    final String saslMechs;
    final String saslRealm;
    final String saslAuthzId;
    final int saslMinSsf;
    final boolean startTls;
    final boolean tlsRequireCert;
    final String tlsCaCertFile;
    final String tlsCaCertDir;
    final String tlsCert;
    final String tlsKey;
    final String tlsRandomFile;
    final String tlsCipherSuite;
    final int debuglevel;

    private LdapConfig(String name, CfgParser p) throws TableOpenException {
        this.name = name;
        String serverHost = p.str("server_host", "localhost", 1);
        int serverPort = num(p, "server_port", 389, 0);
        int v = p.integer("version", 2, 2);
        if (v != 2 && v != 3) {
            warnings.add(name + " Unknown version " + v + ", using 2.");
            v = 2;
        }
        version = v;
        List<Server> list = new ArrayList<>();
        boolean ssl = false;
        for (String h : serverHost.split("[,\\s]+")) {
            if (h.isEmpty()) continue;
            if (isLdapUrl(h)) {
                Server s = parseUrl(h, serverPort);
                if (s == null) {
                    warnings.add("error parsing URL " + h + "; skipping");
                    continue;
                }
                if (!s.scheme.equals("ldap") && version != 3) {
                    warnings.add("URL scheme " + s.scheme + " requires protocol version 3");
                    version = 3;
                }
                ssl |= s.scheme.equals("ldaps");
                list.add(s);
            } else {
                int colon = h.lastIndexOf(':');
                String host = colon >= 0 ? h.substring(0, colon) : h;
                int port = serverPort;
                if (colon >= 0) {
                    try {
                        port = Integer.parseInt(h.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw p.fatal("server_host", "bad port in server_host entry " + h + "; use host:port or an ldap:// URL");
                    }
                }
                list.add(new Server("ldap", host.isEmpty() ? "localhost" : host, port, null));
            }
        }
        if (list.isEmpty()) throw p.fatal("server_host", "no usable server in server_host = " + serverHost + "; use host[:port] or ldap://host:port");
        servers = List.copyOf(list);
        ldapSsl = ssl;
        String sc = p.str("scope", "sub", 1);
        scope = switch (sc.toLowerCase(Locale.ROOT)) {
            case "one" -> SCOPE_ONE;
            case "base" -> SCOPE_BASE;
            case "sub" -> SCOPE_SUB;
            default -> {
                warnings.add(name + ": Unrecognized value " + sc + " specified for scope; using sub");
                yield SCOPE_SUB;
            }
        };
        searchBase = p.str("search_base", "", 0);
        timeout = num(p, "timeout", 10, 0);
        queryFilter = p.str("query_filter", "(mailacceptinggeneralid=%s)", 0);
        String rf = p.raw("result_format");
        resultFormat = rf != null ? rf : p.str("result_filter", "%s", 1);
        try {
            templates = new Templates(List.of(searchBase, queryFilter), resultFormat);
        } catch (Templates.BadTemplate e) {
            String parameter = !e.getMessage().startsWith("invalid query") ? (rf != null ? "result_format" : "result_filter")
                    : e.getMessage().contains("\"" + searchBase + "\"") ? "search_base" : "query_filter";
            throw p.fatal(parameter, e.getMessage());
        }
        dynamicBase = Templates.dynamic(searchBase);
        if (!Templates.dynamic(queryFilter)) warnings.add(name + ": Fixed query_filter " + queryFilter + " is probably useless");
        domain = p.str("domain", "", 0);
        List<String> attrs = new ArrayList<>();
        split(p.str("terminal_result_attribute", "", 0), attrs);
        numTerminal = attrs.size();
        split(p.str("leaf_result_attribute", "", 0), attrs);
        numLeaf = attrs.size() - numTerminal;
        split(p.str("result_attribute", "maildrop", 0), attrs);
        numAttributes = attrs.size();
        split(p.str("special_result_attribute", "", 0), attrs);
        attributes = List.copyOf(attrs);
        String b = p.str("bind", "yes", 1);
        bind = switch (b.toLowerCase(Locale.ROOT)) {
            case "no", "none" -> BIND_NONE;
            case "yes", "simple" -> BIND_SIMPLE;
            case "sasl" -> BIND_SASL;
            default -> throw p.fatal("bind", "unsupported parameter value: bind = " + b + "; use yes, no or sasl");
        };
        bindDn = p.str("bind_dn", "", 0);
        bindPw = p.str("bind_pw", "", 0);
        if (p.bool("cache", 0) == 1) warnings.add(name + " ignoring cache");
        if (num(p, "cache_expiry", -1, 0) >= 0) warnings.add(name + " ignoring cache_expiry");
        if (num(p, "cache_size", -1, 0) >= 0) warnings.add(name + " ignoring cache_size");
        recursionLimit = p.integer("recursion_limit", 1000, 1);
        expansionLimit = num(p, "expansion_limit", 0, 0);
        sizeLimit = num(p, "size_limit", expansionLimit, 0);
        int d = num(p, "dereference", 0, 0);
        if (d < 0 || d > 3) {
            warnings.add(name + " Unrecognized value " + d + " specified for dereference; using 0");
            d = 0;
        }
        dereference = d;
        chaseReferrals = p.bool("chase_referrals", 0) == 1;
        boolean sasl = bind == BIND_SASL;
        saslMechs = sasl ? p.str("sasl_mechs", "", 0) : "";
        saslRealm = sasl ? p.str("sasl_realm", "", 0) : "";
        saslAuthzId = sasl ? p.str("sasl_authz_id", "", 0) : "";
        saslMinSsf = sasl ? num(p, "sasl_minssf", 0, 4096) : 0;
        startTls = p.bool("start_tls", 0) == 1;
        if (startTls && version < 3) {
            warnings.add(name + " start_tls requires protocol version 3");
            version = 3;
        }
        tlsRequireCert = p.bool("tls_require_cert", 0) == 1;
        tlsCaCertFile = p.str("tls_ca_cert_file", "", 0);
        tlsCaCertDir = p.str("tls_ca_cert_dir", "", 0);
        tlsCert = p.str("tls_cert", "", 0);
        tlsKey = p.str("tls_key", "", 0);
        tlsRandomFile = p.str("tls_random_file", "", 0);
        tlsCipherSuite = p.str("tls_cipher_suite", "", 0);
        debuglevel = num(p, "debuglevel", 0, 0);
    }

    /** Postfix's {@code cfg_get_int(name, def, 0, max)}: a minimum of 0 means no minimum; max 0 no maximum. */
    private static int num(CfgParser p, String n, int def, int max) throws TableOpenException {
        int x = p.integer(n, def, Integer.MIN_VALUE);
        if (max > 0 && x > max) throw p.fatal(n, "invalid " + n + " parameter value " + x + " > " + max);
        return x;
    }

    static LdapConfig load(String name, Function<String, String> mainCf) throws TableOpenException {
        return new LdapConfig(name, CfgParser.load(name, mainCf));
    }

    /** TLS is in use (ldaps:// or start_tls): only then do the tls_* settings matter. */
    boolean tls() { return ldapSsl || startTls; }

    private static void split(String s, List<String> into) {
        for (String a : s.split("[,\\s]+")) if (!a.isEmpty()) into.add(a);
    }

    /** OpenLDAP's {@code ldap_is_ldap_url()}: an optional {@code <} and {@code URL:}, then an LDAP scheme. */
    static boolean isLdapUrl(String s) {
        String t = unwrap(s);
        String l = t.toLowerCase(Locale.ROOT);
        return l.startsWith("ldap://") || l.startsWith("ldaps://") || l.startsWith("ldapi://");
    }

    /** The URL without OpenLDAP's optional {@code <...>} enclosure and {@code URL:} prefix. */
    static String unwrap(String s) {
        String t = s;
        boolean enclosed = t.startsWith("<");
        if (enclosed) t = t.substring(1);
        if (t.regionMatches(true, 0, "URL:", 0, 4)) t = t.substring(4);
        if (enclosed && t.endsWith(">")) t = t.substring(0, t.length() - 1);
        return t;
    }

    /** A server_host URL: scheme, host and port (default 389 / 636), or the ldapi socket path. */
    private static Server parseUrl(String url, int defaultPort) {
        String t = unwrap(url);
        int sep = t.indexOf("://");
        String scheme = t.substring(0, sep).toLowerCase(Locale.ROOT);
        String rest = t.substring(sep + 3);
        int slash = rest.indexOf('/');
        String hostport = slash >= 0 ? rest.substring(0, slash) : rest;
        if (scheme.equals("ldapi")) {
            String path = URLDecoder.decode(hostport, StandardCharsets.UTF_8);
            return new Server(scheme, null, 0, path.isEmpty() ? "/var/run/slapd/ldapi" : path);
        }
        String host = hostport;
        int port = scheme.equals("ldaps") ? 636 : 389;
        if (hostport.startsWith("[")) {
            int end = hostport.indexOf(']');
            if (end < 0) return null;
            host = hostport.substring(1, end);
            if (hostport.length() > end + 1) {
                if (hostport.charAt(end + 1) != ':') return null;
                try {
                    port = Integer.parseInt(hostport.substring(end + 2));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        } else {
            int colon = hostport.lastIndexOf(':');
            if (colon >= 0) {
                host = hostport.substring(0, colon);
                try {
                    port = Integer.parseInt(hostport.substring(colon + 1));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        if (host.isEmpty()) host = "localhost";
        return new Server(scheme, host, port, null);
    }
}
