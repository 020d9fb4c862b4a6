package org.proxymap.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of sd_listen_fds(3); the sockets themselves are served in SocketHandoverTest. */
class ListenFdsTest {
    @Test
    void withoutListenFdsNothingIsPassedAndNothingIgnored() {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_PID", "42"), 42, -1);
        assertTrue(p.isEmpty());
        assertNull(p.ignored());
    }

    @Test
    void namedDescriptorsFromThree() {
        ListenFds.Passed p = ListenFds.parse(
                Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "proxymap:proxywrite"), 42, -1);
        assertEquals(List.of(new ListenFds.Socket(3, "proxymap"), new ListenFds.Socket(4, "proxywrite")), p.sockets());
    }

    @Test
    void namesThatDoNotMatchTheCountAreUnknown() {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "proxymap"), 42, -1);
        assertEquals(List.of(new ListenFds.Socket(3, "unknown"), new ListenFds.Socket(4, "unknown")), p.sockets());
    }

    @Test
    void anotherProcesssDescriptorsAreIgnoredWithTheReason() {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "2"), 42, -1);
        assertTrue(p.isEmpty());
        assertEquals("LISTEN_PID 41 is not this process (42)", p.ignored());
        assertTrue(ListenFds.parse(Map.of("LISTEN_FDS", "2"), 42, -1).ignored().contains("not a process id"));
    }

    /** Under jsvc the JVM is the child of the process systemd started. */
    @Test
    void theParentsDescriptorsWhenTheParentIsTheMainProcess() {
        Map<String, String> env = Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1");
        assertEquals(List.of(new ListenFds.Socket(3, "unknown")), ListenFds.parse(env, 42, 41).sockets());
        assertTrue(ListenFds.parse(env, 42, 40).isEmpty());
    }

    @Test
    void aCountThatIsNotPositiveIsNothing() {
        assertTrue(ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "0"), 42, -1).isEmpty());
        assertTrue(ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "x"), 42, -1).ignored().contains("not a count"));
    }
}
