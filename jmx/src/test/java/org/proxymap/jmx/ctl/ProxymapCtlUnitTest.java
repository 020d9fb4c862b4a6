package org.proxymap.jmx.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.ReloadResult;

class ProxymapCtlUnitTest {
    @TempDir
    Path dir;

    @Test
    void passwordFileAloneOrServerFormat() throws Exception {
        Path alone = Files.writeString(dir.resolve("a"), "# mine\n  s3cret  \n");
        assertEquals("s3cret", ProxymapCtl.password(alone, "admin"));
        Path server = Files.writeString(dir.resolve("s"), "monitor m1\nadmin a1\n");
        assertEquals("a1", ProxymapCtl.password(server, "admin"));
        assertEquals("m1", ProxymapCtl.password(server, "monitor"));
        ProxymapCtl.Failure f = assertThrows(ProxymapCtl.Failure.class, () -> ProxymapCtl.password(server, "root"));
        assertEquals(ProxymapCtl.USAGE, f.status);
        assertTrue(f.getMessage().contains("no password for user root"), f.getMessage());
    }

    @Test
    void serviceCfProxymapCfWinsAndConfigDirectoryExpands() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "proxymap_jmx_port = 1\nproxymap_jmx_address = 127.0.0.2\n");
        Files.writeString(dir.resolve("proxymap.cf"), "# c\nproxymap_jmx_port =\n  9875\nproxymap_jmx_password_file = $config_directory/pw\n");
        Map<String, String> cf = ServiceCf.read(dir);
        assertEquals("9875", cf.get("proxymap_jmx_port"));
        assertEquals("127.0.0.2", cf.get("proxymap_jmx_address"));
        assertEquals(dir + "/pw", cf.get("proxymap_jmx_password_file"));
        Files.writeString(dir.resolve("proxymap.cf"), "proxymap_jmx_port = $other\n");
        assertThrows(ProxymapCtl.Failure.class, () -> ServiceCf.read(dir));
    }

    @Test
    void versionComesFromTheBuild() {
        var out = new java.io.ByteArrayOutputStream();
        int status = ProxymapCtl.run(new String[] {"--version"}, new java.io.PrintStream(out, true), System.err);
        assertEquals(ProxymapCtl.OK, status);
        assertTrue(out.toString().matches("proxymapctl \\d+\\.\\d+\\.\\d+\\S*\n"), out.toString());
    }

    @Test
    void portZeroInTheConfigMeansUnreachable() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "x = y\n");
        var err = new java.io.ByteArrayOutputStream();
        int status = ProxymapCtl.run(new String[] {"-c", dir.toString(), "stats"}, System.out, new java.io.PrintStream(err, true));
        assertEquals(ProxymapCtl.UNREACHABLE, status);
        assertTrue(err.toString().contains("remote JMX is off"), err.toString());
    }

    @Test
    void jsonOfRecordsListsAndEscapes() {
        assertEquals("{\"ok\":false,\"message\":\"a \\\"b\\\"\\n\",\"generation\":2,\"durationMillis\":3,\"timeMillis\":4}",
                Json.write(new ReloadResult(false, "a \"b\"\n", 2, 3, 4)));
        assertEquals("[1,\"x\",null,true,{\"k\":1.5}]", Json.write(java.util.Arrays.asList(1, "x", null, true, Map.of("k", 1.5))));
        assertEquals("[]", Json.write(List.of()));
    }

    @Test
    void serviceUrlBracketsIpv6() {
        assertEquals("service:jmx:rmi://127.0.0.1:9/jndi/rmi://127.0.0.1:9/jmxrmi", ObjectNames.serviceUrl("127.0.0.1", 9));
        assertEquals("service:jmx:rmi://[::1]:9/jndi/rmi://[::1]:9/jmxrmi", ObjectNames.serviceUrl("::1", 9));
    }

    private static org.proxymap.jmx.TableInfo table(String name, boolean available) {
        return new org.proxymap.jmx.TableInfo(name, name.substring(0, name.indexOf(':')), false, 0, 0, available, 0, 0, 0, 0, 0,
                0, 0, 0, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private static org.proxymap.jmx.PoolInfo pool(int hosts, int down) {
        return new org.proxymap.jmx.PoolInfo("pm@a,b/pm", "", 0, 0, 0, 8, 0, 0, 0, hosts, down);
    }

    /** The states a real service is hard to drive into (a live host next to a dead one, a brief stall). */
    @Test
    void healthWarnsForSomeHostsDownAndBriefStallsAndIsCriticalForTheRest() {
        long now = 10_000_000L;
        var ok = ProxymapCtl.health(List.of(table("texthash:/t", true)), List.of(pool(2, 0)), true, "ok", 3, 1, 1, now, 4, 100);
        assertEquals(0, ok.status());
        assertEquals("PROXYMAP OK - serving | tables=1 tables_unavailable=0;;1 pools=1 hosts_down=0;1 connections=4"
                + " stalls=3c requests=100c", ok.line());

        var someDown = ProxymapCtl.health(List.of(), List.of(pool(2, 1)), true, "ok", 0, 0, 0, now, 0, 0);
        assertEquals(ProxymapCtl.WARNING, someDown.status());
        assertTrue(someDown.line().startsWith("PROXYMAP WARNING - pool pm@a,b/pm: 1 of 2 hosts down |"), someDown.line());

        var brief = ProxymapCtl.health(List.of(), List.of(), true, "ok", 1, now - 60_000, 0, now, 0, 0);
        assertEquals(ProxymapCtl.WARNING, brief.status());
        assertTrue(brief.line().contains("stalled briefly 60 s ago"), brief.line());
        var longAgo = ProxymapCtl.health(List.of(), List.of(), true, "ok", 1, now - 400_000, now - 400_000, now, 0, 0);
        assertEquals(0, longAgo.status(), longAgo.line());
        var stalled = ProxymapCtl.health(List.of(), List.of(), true, "ok", 2, now - 1_000, now - 2_000, now, 0, 0);
        assertEquals(ProxymapCtl.CRITICAL, stalled.status());
        assertTrue(stalled.line().contains("stalled for a second or more"), stalled.line());

        var all = ProxymapCtl.health(List.of(table("dbm:/x", false), table("dbm:/x", false)), List.of(pool(2, 2), pool(2, 1)),
                false, "main.cf, line 3: bad\nmore", 0, 0, 0, now, 0, 0);
        assertEquals(ProxymapCtl.CRITICAL, all.status());
        assertTrue(all.line().startsWith("PROXYMAP CRITICAL - 1 table unavailable (lookups answer RETRY): dbm:/x;"
                + " pool pm@a,b/pm: every host down (2); last reload refused: main.cf, line 3: bad more;"
                + " pool pm@a,b/pm: 1 of 2 hosts down | "), all.line());
    }
}
