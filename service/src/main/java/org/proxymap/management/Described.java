package org.proxymap.management;

import java.util.Map;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.StandardMBean;

/**
 * An MXBean with what JConsole shows next to it: a description, parameter names instead of
 * p0/p1, and whether an operation only reads (INFO) or changes the service (ACTION).
 */
final class Described<T> extends StandardMBean {
    private final String description;
    private final Map<String, String[]> parameters;
    private final Map<String, Integer> impact;

    Described(T bean, Class<T> type, String description, Map<String, String[]> parameters, Map<String, Integer> impact) {
        super(bean, type, true);
        this.description = description;
        this.parameters = parameters;
        this.impact = impact;
    }

    @Override
    protected String getDescription(MBeanInfo info) { return description; }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        String[] names = parameters.get(op.getName());
        return names != null && sequence < names.length ? names[sequence] : super.getParameterName(op, param, sequence);
    }

    @Override
    protected int getImpact(MBeanOperationInfo op) {
        return impact.getOrDefault(op.getName(), MBeanOperationInfo.UNKNOWN);
    }
}
