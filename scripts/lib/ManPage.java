import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a man page (roff) from the one place its text lives, so that no page is kept twice:
 *
 * <pre>
 *   java ManPage.java javadoc  SOURCE.java PAGE SECTION            the class comment's NAME/SYNOPSIS/... block
 *   java ManPage.java markdown README.md   PAGE SECTION "NAME line" HEADING...   README sections
 * </pre>
 *
 * The daemon's entry class and proxymapctl's main class document themselves like man pages
 * (all-caps headings at one space, text at three); proxymap.cf(5) is README's own settings
 * and configuration sections. Run by scripts/package with the JDK's source launcher.
 */
public final class ManPage {
    private static final String DATE = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();

    public static void main(String[] args) throws IOException {
        if (args.length < 4) usage();
        String page = args[2], section = args[3];
        String body = switch (args[0]) {
            case "javadoc" -> fromJavadoc(Files.readString(Path.of(args[1])));
            case "markdown" -> {
                if (args.length < 6) usage();
                yield fromMarkdown(Files.readString(Path.of(args[1])), args[4], List.of(args).subList(5, args.length));
            }
            default -> { usage(); yield ""; }
        };
        System.out.print(".TH " + page.toUpperCase() + " " + section + " " + DATE
                + " \"proxymap for the JVM\" \"System Manager's Manual\"\n" + body);
    }

    private static void usage() {
        System.err.println("usage: java ManPage.java javadoc SOURCE.java PAGE SECTION | markdown README.md PAGE SECTION NAME-LINE HEADING...");
        System.exit(2);
    }

    // ---- javadoc: " * HEADING" at one space, text at three; blank lines separate paragraphs

    static String fromJavadoc(String source) {
        int start = source.indexOf("/**\n * NAME");
        if (start < 0) throw new IllegalArgumentException("no class comment starting with ' * NAME'");
        int end = source.indexOf("*/", start);
        List<String> lines = new ArrayList<>();
        for (String l : source.substring(start + 4, end).split("\n", -1)) {
            lines.add(l.replaceFirst("^\\s*\\*( |$)", ""));
        }
        StringBuilder out = new StringBuilder();
        List<String> para = new ArrayList<>();
        String heading = null;
        for (String l : lines) {
            if (l.matches("[A-Z][A-Z ]+")) {
                flush(out, para, heading);
                heading = l.trim();
                out.append(".SH ").append(heading).append('\n');
            } else if (l.isBlank()) {
                flush(out, para, heading);
            } else {
                para.add(inline(l.startsWith("  ") ? l.substring(2) : l, false));
            }
        }
        flush(out, para, heading);
        return out.toString();
    }

    /** A paragraph whose lines are laid out as columns (or a synopsis) keeps its layout. */
    private static void flush(StringBuilder out, List<String> para, String heading) {
        if (para.isEmpty()) return;
        boolean layout = "SYNOPSIS".equals(heading)
                || para.stream().anyMatch(l -> l.startsWith(" ") || l.strip().matches(".*\\S {2,}\\S.*"));
        if ("NAME".equals(heading)) {
            out.append(String.join(" ", para).strip()).append('\n');
        } else if (layout) {
            out.append(".PP\n.nf\n");
            para.forEach(l -> out.append(l).append('\n'));
            out.append(".fi\n");
        } else {
            out.append(".PP\n");
            para.forEach(l -> out.append(l.strip()).append('\n'));
        }
        para.clear();
    }

    // ---- markdown: the named "## " sections of README: paragraphs, code blocks, tables, lists

    static String fromMarkdown(String md, String nameLine, List<String> headings) {
        StringBuilder out = new StringBuilder(".SH NAME\n").append(roff(nameLine)).append('\n');
        for (String h : headings) {
            String text = section(md, h);
            out.append(".SH ").append(roff(h.toUpperCase())).append('\n');
            List<String> block = new ArrayList<>();
            for (String l : (text + "\n\n").split("\n", -1)) {
                if (l.isBlank()) {
                    markdownBlock(out, block);
                    block.clear();
                } else {
                    block.add(l);
                }
            }
        }
        return out.toString();
    }

    private static String section(String md, String heading) {
        Matcher m = Pattern.compile("(?m)^## " + Pattern.quote(heading) + "\\s*$").matcher(md);
        if (!m.find()) throw new IllegalArgumentException("README has no section '## " + heading + "'");
        int end = md.indexOf("\n## ", m.end());
        String s = md.substring(m.end(), end < 0 ? md.length() : end);
        // subsections become part of the text
        return s.replaceAll("(?m)^###+ (.*)$", "**$1**\n");
    }

    private static void markdownBlock(StringBuilder out, List<String> block) {
        if (block.isEmpty()) return;
        String first = block.getFirst();
        if (first.startsWith("|")) {
            for (String row : block.subList(2, block.size())) {
                String[] cells = row.replaceAll("^\\||\\|$", "").split("(?<!\\\\)\\|", -1);
                out.append(".TP\n").append(inline(cells[0].strip(), true));
                if (cells.length > 2) out.append(" (default: ").append(inline(cells[1].strip(), false)).append(')');
                out.append('\n').append(inline(cells[cells.length - 1].strip(), false)).append('\n');
            }
        } else if (first.startsWith("    ")) {
            out.append(".PP\n.nf\n.RS 4\n");
            block.forEach(l -> out.append(roff(l.substring(Math.min(4, l.length())))).append('\n'));
            out.append(".RE\n.fi\n");
        } else if (first.startsWith("* ") || first.startsWith("- ")) {
            for (String l : block) {
                if (l.startsWith("* ") || l.startsWith("- ")) out.append(".IP \\(bu 2\n").append(inline(l.substring(2), false)).append('\n');
                else out.append(inline(l.strip(), false)).append('\n');
            }
        } else {
            out.append(".PP\n");
            block.forEach(l -> out.append(inline(l.strip(), false)).append('\n'));
        }
    }

    /** Markdown and javadoc inline markup to roff fonts; text escaped for roff. */
    static String inline(String s, boolean bold) {
        String r = roff(s.replace("\\|", "|"))
                .replaceAll("\\{@(?:link|linkplain) #?([^}]*)}", "$1")
                .replaceAll("\\{@code ([^}]*)}", "\\\\fB$1\\\\fR")
                .replaceAll("\\*\\*([^*]+)\\*\\*", "\\\\fB$1\\\\fR")
                .replaceAll("`([^`]+)`", "\\\\fB$1\\\\fR")
                .replaceAll("\\[([^]]+)]\\([^)]*\\)", "$1");
        return bold ? "\\fB" + r + "\\fR" : r;
    }

    /** Backslashes, and a line start that roff would take for a request. */
    static String roff(String s) {
        String r = s.replace("\\", "\\e").replace("-", "\\-");
        if (r.startsWith(".") || r.startsWith("'")) r = "\\&" + r;
        return r;
    }
}
