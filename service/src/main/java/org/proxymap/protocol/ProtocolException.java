package org.proxymap.protocol;

import java.io.IOException;

/** The peer sent something that is not an attribute list within our limits; the connection ends. */
public final class ProtocolException extends IOException {
    public ProtocolException(String message) { super(message); }
}
