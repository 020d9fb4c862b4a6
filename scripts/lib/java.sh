# Sourced by the scripts: finds a JDK 25 and exports JAVA_HOME and PATH for it.
# Looks at $JAVA_HOME first, then /usr/lib/jvm/*; says what is missing when none fits.
find_jdk25() {
    local cand v
    for cand in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/*25*; do
        [ -n "$cand" ] && [ -x "$cand/bin/javac" ] || continue
        v=$("$cand/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
        if [ "${v:-0}" -ge 25 ]; then
            export JAVA_HOME=$cand
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
    done
    echo "proxymap: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/*25*)." >&2
    echo "          install Temurin 25 (package temurin-25-jdk) or set JAVA_HOME to a JDK 25." >&2
    return 1
}
find_jdk25 || exit 1
