# jvm-flags.sh - the JVM options and environment of every launcher: scripts/proxymap sources
# it, scripts/install writes it into the installed launcher (scripts/lib/proxymap.in). POSIX sh.
# In: PROXYMAP_JAVA_OPTS (the user's options). Out: jvm_flags, MALLOC_ARENA_MAX, _JAVA_SR_SIGNUM.

# hash:, btree:, lmdb: and sqlite: call the system's libraries through FFM (java.lang.foreign).
# jsvc has no option for this, but the JVM also reads it from JAVA_TOOL_OPTIONS.
jvm_flags="--enable-native-access=ALL-UNNAMED"
# remote JMX: its registry refuses rebinds (it extends the JDK's registry, as the JDK's own agent
# does); no agent may be loaded into the running service (jcmd JVMTI.agent_load, attach)
jvm_flags="$jvm_flags --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED -XX:-EnableDynamicAgentLoading"
# a small footprint without losing speed (README: Footprint): the serial collector suits a heap of
# tens of MB with short pauses, a heap that starts small and grows with the tables (instead of
# 1/64 of the RAM, which the young generation soon touches in full) and shrinks at once at a full
# collection (as after a big table's load) instead of over several, compact object headers, 512k
# thread stacks, glibc's per-thread malloc arenas capped and what they hold free returned to the
# system every 10 s (the JIT's arenas). PROXYMAP_JAVA_OPTS comes later on the command line and wins.
jvm_flags="$jvm_flags -XX:+UseCompactObjectHeaders -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-ShrinkHeapInSteps"
jvm_flags="$jvm_flags -Xss512k -XX:ReservedCodeCacheSize=64m -XX:TrimNativeHeapInterval=10000"
# a read of a whole file into a heap array (Files.readAllBytes: texthash and the other file
# tables' loads) goes through a temporary direct buffer of the file's size, which the JDK keeps
# cached in the reading thread for good (91 MB for a 1M-key texthash): larger ones are freed
jvm_flags="$jvm_flags -Djdk.nio.maxCachedBufferSize=262144"
case " ${PROXYMAP_JAVA_OPTS:-} " in *" -XX:+Use"*GC" "*) ;; *) jvm_flags="$jvm_flags -XX:+UseSerialGC" ;; esac
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

# HotSpot suspends threads for JFR's sampler with SIGUSR2 unless told otherwise; SIGUSR2 is
# this service's reload signal (systemctl reload), so HotSpot gets a real-time signal of its own
export _JAVA_SR_SIGNUM=${_JAVA_SR_SIGNUM:-40}
