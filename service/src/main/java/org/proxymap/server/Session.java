package org.proxymap.server;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.proxymap.table.TableHandle;

/**
 * Per-connection state: which service the client connected to, and its sequence cursors.
 * Cursors are per connection (Postfix shares one per table between all clients, so
 * concurrent {@code postmap -s} runs would interfere).
 */
public final class Session {
    private final boolean writeService;
    private final String socketName;
    private Map<TableHandle, Iterator<Map.Entry<String, String>>> cursors;

    public Session(boolean writeService, String serviceName) {
        this.writeService = writeService;
        this.socketName = serviceName + " socket";
    }

    public boolean writeService() { return writeService; }

    /** "proxymap socket" or "proxywrite socket", as Postfix names the peer in warnings. */
    public String socketName() { return socketName; }

    Iterator<Map.Entry<String, String>> cursor(TableHandle h) {
        return cursors == null ? null : cursors.get(h);
    }

    void cursor(TableHandle h, Iterator<Map.Entry<String, String>> it) {
        if (cursors == null) cursors = new HashMap<>();
        cursors.put(h, it);
    }
}
