package org.proxymap.management;

import java.io.ObjectInputFilter;
import java.rmi.AccessException;
import java.rmi.NotBoundException;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import sun.rmi.registry.RegistryImpl;

/**
 * The RMI registry of the JMX port, holding exactly one entry, the connector's stub, and
 * refusing bind, rebind and unbind from anyone. The JDK's own RegistryImpl lets any local
 * process rebind {@code jmxrmi}, whatever its uid, and so collect the passwords of the next
 * JConsole or proxymapctl session; the JDK's management agent closes that hole the same way
 * (its SingleEntryRegistry). Needs {@code --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED},
 * which the launchers pass.
 */
final class ReadOnlyRegistry extends RegistryImpl {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final transient Remote stub;

    ReadOnlyRegistry(int port, RMIClientSocketFactory clientSockets, RMIServerSocketFactory sockets, String name, Remote stub)
            throws RemoteException {
        super(port, clientSockets, sockets, ReadOnlyRegistry::onlyNames);
        this.name = name;
        this.stub = stub;
    }

    /** A lookup sends a String; nothing else is deserialized (a bind's stub is refused before it exists). */
    private static ObjectInputFilter.Status onlyNames(ObjectInputFilter.FilterInfo info) {
        Class<?> c = info.serialClass();
        if (info.depth() > 2 || info.references() > 4 || info.arrayLength() >= 0) return ObjectInputFilter.Status.REJECTED;
        return c == null || c == String.class ? ObjectInputFilter.Status.UNDECIDED : ObjectInputFilter.Status.REJECTED;
    }

    @Override
    public Remote lookup(String n) throws NotBoundException {
        if (name.equals(n)) return stub;
        throw new NotBoundException("Not bound: \"" + n + "\" (this registry only holds \"" + name + "\")");
    }

    @Override
    public String[] list() { return new String[] {name}; }

    @Override
    public void bind(String n, Remote obj) throws AccessException { throw readOnly("bind"); }

    @Override
    public void rebind(String n, Remote obj) throws AccessException { throw readOnly("rebind"); }

    @Override
    public void unbind(String n) throws AccessException { throw readOnly("unbind"); }

    private static AccessException readOnly(String op) {
        return new AccessException("Cannot " + op + ": the proxymap JMX registry is read-only");
    }
}
