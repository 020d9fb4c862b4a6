/**
 * Pattern tables: regexp (POSIX), pcre and cidr rule files with IF/ENDIF blocks and $n
 * substitution, as dict_regexp.c, dict_pcre.c and dict_cidr.c.
 */
package org.proxymap.table.pattern;
