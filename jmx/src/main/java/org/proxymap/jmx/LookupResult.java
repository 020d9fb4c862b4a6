package org.proxymap.jmx;

/**
 * The answer to an operator lookup, exactly as a proxymap client would get it.
 *
 * @param table  the table as asked for
 * @param key    the key as asked for
 * @param status the protocol status name: OK, NOKEY, RETRY, BAD, DENY or CONFIG
 * @param value  the value when status is OK, else ""
 */
public record LookupResult(String table, String key, String status, String value) {
    public boolean found() { return "OK".equals(status); }
}
