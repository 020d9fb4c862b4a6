package org.proxymap.jmx;

import java.util.List;

/**
 * The result of a configuration check ({@code proxymap -c DIR check}, {@code proxymapctl check}).
 *
 * @param ok       true when the configuration loads and every approved table is usable
 * @param problems one line per problem, each with file:line where there is one, and a hint
 * @param tables   the approved tables that were checked
 */
public record CheckReport(boolean ok, List<String> problems, List<String> tables) {
}
