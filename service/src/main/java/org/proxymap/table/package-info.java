/**
 * The table SPI (TableType, LookupTable, OpenContext, TableException) and the registry that
 * opens each table once and shares it, with the pieces every table type shares (TableTypes,
 * TableName, FileStamp, LogLimiter, surrogates). It knows no socket, server, daemon or JMX.
 */
package org.proxymap.table;
