package org.proxymap.table.socket;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * What socketmap: and tcp: share: the table's name holds the server's address, nothing is read
 * at open (keys are folded per request, one instance serves every client), check parses the
 * address and probe connects to it.
 */
abstract class SocketTableType implements TableType {
    private final Duration timeout;

    SocketTableType(Duration timeout) { this.timeout = timeout; }

    /** The server's address in {@code name}, or what is wrong with it and how to write it. */
    abstract Endpoint endpoint(String name) throws TableOpenException;

    /** The server the probe's advice says to start: "socketmap", "tcp_table". */
    abstract String server();

    @Override
    public final int openFlagsMask() { return 0; }

    @Override
    public final List<String> check(String name, OpenContext context) {
        try {
            endpoint(name);
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
    }

    @Override
    public final List<String> probe(String name, OpenContext context) {
        Endpoint endpoint;
        try {
            endpoint = endpoint(name);
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
        try {
            TimedChannel.connect(endpoint, timeout).close();
            return List.of();
        } catch (IOException e) {
            return List.of(name() + ":" + name + ": cannot connect to " + endpoint + ": " + reason(e)
                    + "; start the " + server() + " server or correct the address");
        }
    }

    static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
