package org.proxymap.config;

/**
 * Postfix's {@code mac_parse()}: splits text into literal runs and {@code $} references, the
 * one tokenizer behind main.cf expansion ({@link Expander}) and regexp/pcre replacement text.
 * {@code $$} is a literal {@code $}; {@code $name} runs over letters, digits and '_';
 * {@code ${...}} and {@code $(...)} run to the balancing bracket and hand over the raw body.
 */
public final class MacroParser {
    private MacroParser() {}

    /** Receives one piece of the text. */
    @FunctionalInterface
    public interface Part<X extends Exception> {
        void accept(String text) throws X;
    }

    /** A reference the tokenizer cannot delimit: Postfix's text, and the fix for a config file. */
    public static final class SyntaxError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String hint;

        SyntaxError(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        /** What to write instead, e.g. "write $$ for a literal '$'". */
        public String hint() { return hint; }
    }

    /**
     * Calls {@code literal} for each run of text ({@code $$} already turned into {@code $}; a
     * run may come in more than one call) and {@code reference} for each reference's name or
     * bracket body, in order.
     *
     * @throws SyntaxError for an unbalanced bracket or an empty name
     */
    public static <X extends Exception> void parse(String text, Part<X> literal, Part<X> reference) throws X {
        int i = 0;
        int n = text.length();
        int run = 0;
        while (i < n) {
            if (text.charAt(i) != '$') {
                i++;
                continue;
            }
            if (i > run) literal.accept(text.substring(run, i));
            if (i + 1 < n && text.charAt(i + 1) == '$') {
                literal.accept("$");
                i += 2;
                run = i;
                continue;
            }
            String body;
            if (i + 1 < n && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '(')) {
                char open = text.charAt(i + 1);
                char close = open == '{' ? '}' : ')';
                int depth = 1;
                int j = i + 2;
                for (; j < n; j++) {
                    char x = text.charAt(j);
                    if (x == open) depth++;
                    else if (x == close && --depth == 0) break;
                }
                if (j >= n) {
                    throw new SyntaxError("truncated macro reference: \"" + text + "\"", "add the missing '" + close + "'");
                }
                body = text.substring(i + 2, j);
                i = j + 1;
            } else {
                int j = i + 1;
                while (j < n && isNameChar(text.charAt(j))) j++;
                body = text.substring(i + 1, j);
                i = j;
            }
            if (body.isEmpty()) throw new SyntaxError("empty macro name: \"" + text + "\"", "write $$ for a literal '$'");
            reference.accept(body);
            run = i;
        }
        if (n > run) literal.accept(text.substring(run, n));
    }

    /** Letters, digits and '_': what a {@code $name} is made of. */
    public static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** Postfix's {@code alldig()}: a non-empty run of ASCII digits. */
    public static boolean allDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
