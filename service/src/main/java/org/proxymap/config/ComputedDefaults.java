package org.proxymap.config;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.commons.configuration2.AbstractConfiguration;

/**
 * A read-only configuration layer whose values are computed on first use, as Postfix computes
 * the defaults that depend on the machine ({@link HostDefaults}). A name whose computation gives
 * null is not contained here, so the layers below it answer. Values are kept once computed:
 * they depend only on the generation's files.
 */
final class ComputedDefaults extends AbstractConfiguration {
    private final Set<String> names;
    private final Function<String, String> compute;
    /** Not computeIfAbsent: computing one name may read another through the layers. */
    private final Map<String, Optional<String>> computed = new ConcurrentHashMap<>();

    ComputedDefaults(Set<String> names, Function<String, String> compute) {
        this.names = Set.copyOf(names);
        this.compute = compute;
    }

    private String value(String name) {
        if (!names.contains(name)) return null;
        Optional<String> v = computed.get(name);
        if (v == null) {
            v = Optional.ofNullable(compute.apply(name));
            computed.put(name, v);
        }
        return v.orElse(null);
    }

    @Override
    protected boolean containsKeyInternal(String key) { return value(key) != null; }

    @Override
    protected Object getPropertyInternal(String key) { return value(key); }

    @Override
    protected boolean containsValueInternal(Object value) {
        return names.stream().anyMatch(n -> value != null && value.equals(value(n)));
    }

    @Override
    protected Iterator<String> getKeysInternal() { return names.stream().filter(n -> value(n) != null).iterator(); }

    @Override
    protected boolean isEmptyInternal() { return !getKeysInternal().hasNext(); }

    @Override
    protected void addPropertyDirect(String key, Object value) { throw new UnsupportedOperationException("computed defaults are read-only"); }

    @Override
    protected void clearPropertyDirect(String key) { throw new UnsupportedOperationException("computed defaults are read-only"); }
}
