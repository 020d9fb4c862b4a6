package org.proxymap.table.sql;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * MySQL character set names ({@code charset} in mysql_table(5)) as Java charsets.
 * The driver always talks utf8mb4 to the server; keys (raw bytes from the client) are
 * decoded with the table's charset and results encoded back to it, so clients see the
 * same bytes as with Postfix's own client using that charset.
 */
final class Charsets {
    private Charsets() {}

    static boolean known(String mysqlName) { return forName(mysqlName) != null; }

    /** The Java charset, or null when there is no equivalent. */
    static Charset forName(String mysqlName) {
        String n = mysqlName.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "utf8mb4", "utf8", "utf8mb3" -> StandardCharsets.UTF_8;
            case "latin1" -> Charset.forName("windows-1252"); // MySQL's latin1 is cp1252
            case "ascii" -> StandardCharsets.US_ASCII;
            case "binary" -> StandardCharsets.ISO_8859_1;
            case "ucs2", "utf16" -> StandardCharsets.UTF_16BE;
            case "utf16le" -> StandardCharsets.UTF_16LE;
            case "utf32" -> Charset.forName("UTF-32BE");
            case "latin2" -> Charset.forName("ISO-8859-2");
            case "latin5" -> Charset.forName("ISO-8859-9");
            case "latin7" -> Charset.forName("ISO-8859-13");
            case "greek" -> Charset.forName("ISO-8859-7");
            case "hebrew" -> Charset.forName("ISO-8859-8");
            case "koi8r" -> Charset.forName("KOI8-R");
            case "koi8u" -> Charset.forName("KOI8-U");
            case "cp1250", "cp1251", "cp1256", "cp1257" -> Charset.forName("windows-" + n.substring(2));
            case "cp850", "cp852", "cp866" -> Charset.forName("IBM" + n.substring(2));
            case "sjis" -> Charset.forName("Shift_JIS");
            case "cp932" -> Charset.forName("windows-31j");
            case "ujis" -> Charset.forName("EUC-JP");
            case "eucjpms" -> Charset.forName("x-eucJP-Open");
            case "euckr" -> Charset.forName("EUC-KR");
            case "gbk" -> Charset.forName("GBK");
            case "gb2312" -> Charset.forName("GB2312");
            case "gb18030" -> Charset.forName("GB18030");
            case "big5" -> Charset.forName("Big5");
            case "tis620" -> Charset.forName("TIS-620");
            default -> null;
        };
    }
}
