/**
 * Address text as the C library reads and writes it (inet_pton, inet_ntop), for cidr tables
 * and the mynetworks default. No project dependency.
 */
package org.proxymap.inet;
