package org.proxymap.management;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;
import org.proxymap.jmx.ObjectNames;

/**
 * Role checks for remote JMX callers, in front of the MBean server. readonly users read
 * (attributes, MBean info, queries, notifications) and may call the inspection operations
 * {@code Tables.table} and {@code Reload.check}; readwrite users may also set attributes and
 * invoke operations of this service's MBeans ({@code org.proxymap}: reload, lookup); only
 * jvm-admin users may invoke operations or set attributes of the JVM's own MBeans
 * (DiagnosticCommand's jvmtiAgentLoad is code execution, HotSpotDiagnostic's dumpHeap writes
 * the passwords in memory to a file, setVMOption changes the JVM). Nobody may create,
 * register or unregister MBeans, or reach class loaders: that shuts out remote class loading
 * (MLet and friends) entirely.
 */
final class AccessControl implements InvocationHandler {
    private static final Set<String> READ = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "queryNames",
            "queryMBeans", "isRegistered", "getMBeanCount", "getDefaultDomain", "getDomains", "isInstanceOf",
            "getObjectInstance", "addNotificationListener", "removeNotificationListener",
            // the connector itself uses these server-side (to deserialize arguments); RMIConnection never returns them
            "getClassLoaderRepository", "getClassLoaderFor", "getClassLoader");
    private static final Set<String> WRITE = Set.of("setAttribute", "setAttributes", "invoke");

    private final Map<String, UserFiles.Role> roles;
    private MBeanServer next;

    private AccessControl(Map<String, UserFiles.Role> roles) {
        this.roles = roles;
    }

    static MBeanServerForwarder forwarder(Map<String, UserFiles.Role> roles) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new AccessControl(roles));
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        String name = m.getName();
        switch (name) {
            case "getMBeanServer" -> { return next; }
            case "setMBeanServer" -> {
                if (next != null) throw new IllegalStateException("MBean server already set");
                next = (MBeanServer) args[0];
                return null;
            }
            case "hashCode" -> { return System.identityHashCode(proxy); }
            case "equals" -> { return proxy == args[0]; }
            case "toString" -> { return "AccessControl" + roles.keySet(); }
            default -> check(name, args);
        }
        try {
            return m.invoke(next, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void check(String method, Object[] args) {
        // no Subject: the connector's own calls while it sets up an authenticated client
        // (every remote call runs as the authenticated Subject); reading only
        if (Subject.current() == null && READ.contains(method)) return;
        UserFiles.Role role = role();
        if (READ.contains(method) && role != null) return;
        boolean ours = false;
        if (WRITE.contains(method) && role != null) {
            ObjectName mbean = (ObjectName) args[0];
            ours = ObjectNames.DOMAIN.equals(mbean.getDomain());
            if (role.atLeast(UserFiles.Role.JVM_ADMIN)) return;
            if (ours && role.atLeast(UserFiles.Role.READWRITE)) return;
            if (ours && method.equals("invoke") && inspection(mbean, (String) args[1])) return;
        }
        throw new SecurityException("Access denied: " + method + (method.equals("invoke") ? " " + args[1] : "")
                + (role == null ? " (no role for this user in the access file)"
                : !WRITE.contains(method) ? " is not allowed remotely"
                : !ours ? " on the JVM's own MBeans needs the jvm-admin role"
                : " needs the readwrite role"));
    }

    private static boolean inspection(ObjectName mbean, String operation) {
        String n = mbean.getCanonicalName();
        return (n.equals(ObjectNames.TABLES) && operation.equals("table"))
                || (n.equals(ObjectNames.RELOAD) && operation.equals("check"));
    }

    private UserFiles.Role role() {
        Subject s = Subject.current();
        if (s == null) return null;
        UserFiles.Role best = null;
        for (Principal p : s.getPrincipals()) {
            UserFiles.Role r = roles.get(p.getName());
            if (r != null && (best == null || r.atLeast(best))) best = r;
        }
        return best;
    }
}
