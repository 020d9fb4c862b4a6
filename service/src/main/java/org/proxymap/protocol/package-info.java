/**
 * The proxymap wire format: attribute lists (attr_scan0/attr_print0) read and written byte for
 * byte as Postfix does, status codes and dictionary flag bits. It depends on no other package
 * of the project and knows no table.
 */
package org.proxymap.protocol;
