package org.proxymap.config;

/** A configuration problem, with the file and line where it is, and how to fix it. */
public class ConfigException extends Exception {
    public ConfigException(String message) { super(message); }

    /** An expansion error, with the parameter whose value holds the faulty text. */
    public static final class InParameter extends ConfigException {
        private final String parameter;

        InParameter(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }

        /** The parameter whose value the error is in. */
        public String parameter() { return parameter; }
    }
}
