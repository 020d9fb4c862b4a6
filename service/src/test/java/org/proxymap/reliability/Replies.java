package org.proxymap.reliability;

import java.util.Set;
import org.proxymap.protocol.AttrList;

/** What every reply the server writes must look like, whatever the request was. */
final class Replies {
    private Replies() {}

    private static final Set<String> AFTER_STATUS = Set.of("flags", "key", "value");

    /** @return null when {@code r} is a reply of the protocol, else what is wrong with it */
    static String problem(AttrList r) {
        if (r == null) return "no reply";
        if (r.size() == 0 || !r.name(0).equals("status")) return "reply does not start with status: " + r;
        if (!r.value(0).matches("[0-5]")) return "status out of range: " + r;
        for (int i = 1; i < r.size(); i++) {
            if (!AFTER_STATUS.contains(r.name(i))) return "unexpected attribute in reply: " + r;
            if (r.name(i).equals("flags") && !r.value(i).matches("[0-9]{1,10}")) return "bad flags: " + r;
        }
        return null;
    }
}
