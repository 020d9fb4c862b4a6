package org.proxymap.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Turns {@code results.csv} of scripts/bench into {@code results.md} (the measurements and
 * the ratios ours/Postfix and ours/null, with the targets) and {@code results.png}
 * (lookups/s and p99 per concurrency, one panel per table), rendered with headless AWT.
 *
 * <pre>benchreport DIR/results.csv [TITLE]</pre>
 */
public final class BenchReport {
    /** One line of results.csv. */
    record Row(String server, String table, int concurrency, double lookupsPerSecond, double p50, double p99,
               double cpuPerLookup, int dbConnections, double rssMb) {
        static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(f[0], f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]), Integer.parseInt(f[7]), Double.parseDouble(f[8]));
        }
    }

    static final List<String> TABLES = List.of("texthash", "mysql", "mysql-slow");
    static final List<String> SERVERS = List.of("ours", "postfix", "null");
    private static final Map<String, Color> COLORS = Map.of(
            "ours", new Color(0x1f77b4), "postfix", new Color(0xd62728), "null", new Color(0x7f7f7f));

    private final List<Row> rows;

    BenchReport(List<Row> rows) { this.rows = rows; }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: benchreport DIR/results.csv [TITLE]");
            System.exit(2);
        }
        Path csv = Path.of(args[0]);
        List<Row> rows = read(csv);
        BenchReport r = new BenchReport(rows);
        Path dir = csv.toAbsolutePath().getParent();
        Files.writeString(dir.resolve("results.md"), r.markdown());
        ImageIO.write(r.chart(args.length > 1 ? args[1] : "proxymap benchmark"), "png", dir.resolve("results.png").toFile());
        System.out.print(r.markdown());
    }

    static List<Row> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.getFirst().equals(LoadGenerator.CSV_HEADER)) {
            throw new IOException(csv + ": first line must be " + LoadGenerator.CSV_HEADER);
        }
        List<Row> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) if (!l.isBlank()) rows.add(Row.parse(l));
        return rows;
    }

    Row find(String server, String table, int c) {
        for (Row r : rows) if (r.server.equals(server) && r.table.equals(table) && r.concurrency == c) return r;
        return null;
    }

    /** The null server answers without a table: its texthash rows are the socket limit for every table. */
    Row nullRow(int c) { return find("null", "texthash", c); }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| table | C | server | lookups/s | p50 µs | p99 µs | server CPU µs/lookup | DB connections | RSS MB |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (String t : TABLES) {
            for (int c : concurrencies(t)) {
                for (String s : SERVERS) {
                    Row r = find(s, t, c);
                    if (r == null) continue;
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %,.0f | %.0f | %.0f | %.1f | %d | %.0f |%n",
                            t, c, s, r.lookupsPerSecond, r.p50, r.p99, r.cpuPerLookup, r.dbConnections, r.rssMb));
                }
            }
        }
        sb.append("\n| table | C | ours / Postfix lookups/s | p99 ours / Postfix | ours / null lookups/s | target |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (String t : TABLES) {
            for (int c : concurrencies(t)) {
                Row o = find("ours", t, c), p = find("postfix", t, c), n = nullRow(c);
                if (o == null) continue;
                String vsPostfix = p == null ? "—" : String.format(Locale.ROOT, "%.2f×", o.lookupsPerSecond / p.lookupsPerSecond);
                String p99 = p == null ? "—" : String.format(Locale.ROOT, "%.2f", o.p99 / p.p99);
                String vsNull = n == null || !t.equals("texthash") ? "—" : String.format(Locale.ROOT, "%.2f×", o.lookupsPerSecond / n.lookupsPerSecond);
                sb.append(String.format("| %s | %d | %s | %s | %s | %s |%n", t, c, vsPostfix, p99, vsNull, target(t, c, o, p, n)));
            }
        }
        return sb.toString();
    }

    /** The targets: texthash ≥ 2× Postfix, p99 no worse, ≥ 0.7× null; mysql ≥ 2× Postfix at C ≥ 16. */
    static String target(String table, int c, Row o, Row p, Row n) {
        List<String> missed = new ArrayList<>();
        switch (table) {
            case "texthash" -> {
                if (p != null && o.lookupsPerSecond < 2 * p.lookupsPerSecond) missed.add("< 2× Postfix");
                if (p != null && o.p99 > p.p99) missed.add("p99 worse");
                if (n != null && o.lookupsPerSecond < 0.7 * n.lookupsPerSecond) missed.add("< 0.7× null");
            }
            case "mysql" -> {
                if (c < 16) return "(C < 16: none)";
                if (p != null && o.lookupsPerSecond < 2 * p.lookupsPerSecond) missed.add("< 2× Postfix");
            }
            default -> {
                return p != null && o.lookupsPerSecond > p.lookupsPerSecond ? "grows with the pool" : "(shown)";
            }
        }
        return missed.isEmpty() ? "met" : "MISSED: " + String.join(", ", missed);
    }

    List<Integer> concurrencies(String table) {
        TreeSet<Integer> cs = new TreeSet<>();
        for (Row r : rows) if (r.table.equals(table)) cs.add(r.concurrency);
        return new ArrayList<>(cs);
    }

    BufferedImage chart(String title) {
        List<String> tables = TABLES.stream().filter(t -> !concurrencies(t).isEmpty()).toList();
        int pw = 460, ph = 330, top = 60, left = 20;
        int w = left + Math.max(1, tables.size()) * pw + 20, h = top + 2 * ph + 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, left, 28);
        // legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int lx = left;
        for (String s : SERVERS) {
            g.setColor(COLORS.get(s));
            g.setStroke(stroke(s));
            g.drawLine(lx, 46, lx + 30, 46);
            g.setColor(Color.BLACK);
            String label = switch (s) {
                case "ours" -> "ours (JVM)";
                case "postfix" -> "Postfix proxymap";
                default -> "null server (socket limit)";
            };
            g.drawString(label, lx + 36, 51);
            lx += 60 + g.getFontMetrics().stringWidth(label);
        }
        for (int i = 0; i < tables.size(); i++) {
            String t = tables.get(i);
            panel(g, t, true, left + i * pw, top, pw - 20, ph - 20);
            panel(g, t, false, left + i * pw, top + ph, pw - 20, ph - 20);
        }
        g.dispose();
        return img;
    }

    private static BasicStroke stroke(String server) {
        return server.equals("null")
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f)
                : new BasicStroke(2.5f);
    }

    /** One panel: lookups/s (linear) or p99 (log scale) against C. */
    private void panel(Graphics2D g, String table, boolean throughput, int x, int y, int w, int h) {
        List<Integer> cs = concurrencies(table);
        int ml = 70, mb = 40, mt = 26;
        int px = x + ml, py = y + mt, pw = w - ml - 10, ph = h - mt - mb;
        double max = 0, min = Double.MAX_VALUE;
        for (String s : SERVERS) {
            for (int c : cs) {
                Row r = s.equals("null") && !table.equals("texthash") ? null : find(s, table, c);
                if (r == null) continue;
                double v = throughput ? r.lookupsPerSecond : Math.max(1, r.p99);
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        if (max == 0) return;
        double lo = throughput ? 0 : Math.pow(10, Math.floor(Math.log10(min)));
        double hi = throughput ? niceCeil(max * 1.08) : Math.pow(10, Math.ceil(Math.log10(max * 1.01)));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(table + (throughput ? ": lookups/s (higher is better)" : ": p99 latency µs, log (lower is better)"), x + 10, y + 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // grid and y labels
        List<Double> ticks = new ArrayList<>();
        if (throughput) for (int k = 0; k <= 5; k++) ticks.add(hi * k / 5);
        else for (double v = lo; v <= hi * 1.0001; v *= 10) ticks.add(v);
        for (double v : ticks) {
            int yy = yOf(v, lo, hi, py, ph, !throughput);
            g.setColor(new Color(0xe0e0e0));
            g.setStroke(new BasicStroke(1f));
            g.drawLine(px, yy, px + pw, yy);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%,.0f", v);
            g.drawString(label, px - 6 - fm.stringWidth(label), yy + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(px, py, pw, ph);
        for (int k = 0; k < cs.size(); k++) {
            int xx = xOf(k, cs.size(), px, pw);
            String label = "C=" + cs.get(k);
            g.drawString(label, xx - fm.stringWidth(label) / 2, py + ph + 16);
        }
        g.drawString("concurrent clients (one connection each)", px + pw / 2 - 110, py + ph + 32);
        for (String s : SERVERS) {
            int lastX = -1, lastY = -1;
            for (int k = 0; k < cs.size(); k++) {
                Row r = s.equals("null") && !table.equals("texthash") ? null : find(s, table, cs.get(k));
                if (r == null) continue;
                double v = throughput ? r.lookupsPerSecond : Math.max(1, r.p99);
                int xx = xOf(k, cs.size(), px, pw), yy = yOf(v, lo, hi, py, ph, !throughput);
                g.setColor(COLORS.get(s));
                g.setStroke(stroke(s));
                if (lastX >= 0) g.drawLine(lastX, lastY, xx, yy);
                g.fillOval(xx - 4, yy - 4, 8, 8);
                lastX = xx;
                lastY = yy;
            }
        }
    }

    private static int xOf(int k, int n, int px, int pw) {
        return n == 1 ? px + pw / 2 : px + 30 + (int) ((pw - 60) * k / (double) (n - 1));
    }

    private static int yOf(double v, double lo, double hi, int py, int ph, boolean log) {
        double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return py + ph - (int) Math.round(f * ph);
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }
}
