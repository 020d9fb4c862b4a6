/**
 * Native calls through java.lang.foreign (FFM, never JNI): loading a C library and flock(2).
 * It knows nothing of the service.
 */
package org.proxymap.ffm;
