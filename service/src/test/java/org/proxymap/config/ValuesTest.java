package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What Postfix 3.7 accepts and refuses, as measured with {@code postmap -c DIR} (ipc_timeout, smtputf8_enable, line_length_limit). */
class ValuesTest {
    @Test
    void timesAsConvTime() {
        assertEquals(Duration.ofDays(7), Values.time("1w", 's'));
        assertEquals(Duration.ofSeconds(10), Values.time(" 10s", 's'));
        assertEquals(Duration.ofSeconds(10), Values.time("10", 's'));
        assertEquals(Duration.ofMinutes(10), Values.time("10", 'm'));
        assertEquals(Duration.ofSeconds(5), Values.time("+5s", 's'));
        assertEquals(Duration.ofSeconds(10), Values.time("10ss", 's'));
        assertEquals(Duration.ofHours(1), Values.time("1h30m", 's'));
        assertEquals(Duration.ZERO, Values.time("0s", 's'));
        for (String bad : new String[] {"10x", "10S", "-1s", "5 s", "99999999999s", "3000000000s", "s", "", "4000w"}) {
            assertThrows(IllegalArgumentException.class, () -> Values.time(bad, 's'), bad);
        }
    }

    @Test
    void booleansAreYesOrNoInAnyCase() {
        assertEquals(true, Values.bool("YES"));
        assertEquals(false, Values.bool("No"));
        for (String bad : new String[] {"true", "1", "on", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Values.bool(bad), bad);
        }
    }

    @Test
    void numbersHaveNoUnits() {
        assertEquals(5, Values.longInteger(" +5", Long.MIN_VALUE));
        assertEquals(-5, Values.longInteger("-5", Long.MIN_VALUE));
        for (String bad : new String[] {"10M", "5x", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Values.longInteger(bad, 0), bad);
        }
    }
}
