/**
 * The benchmark kit run by scripts/bench: load generator, null server, process and database
 * samplers, the report and its charts. Never installed or packaged; it uses the service only
 * through public pieces (protocol, poll, table types).
 */
package org.proxymap.bench;
