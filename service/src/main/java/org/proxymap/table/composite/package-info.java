/**
 * Tables made of other tables: unionmap, pipemap, randmap (dict_union.c, dict_pipe.c,
 * dict_random.c). Members are opened through OpenContext.openTable.
 */
package org.proxymap.table.composite;
