/**
 * Tables without a file format of their own: static, inline, internal, fail, environ, and
 * unix:passwd/group.
 */
package org.proxymap.table.simple;
