package org.proxymap.table.sql;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The client encoding of a pgsql table, applied on our side because pgjdbc always talks
 * UTF8 to the server. Postfix's client calls {@code PQsetClientEncoding()}: LATIN1 up to
 * Postfix 3.7, the {@code encoding} parameter (default UTF8) from 3.8. With it:
 *
 * <ul>
 * <li>the query (template and quoted key, as bytes) is read in that encoding, as the
 *     server reads what libpq sends, so with LATIN1 a UTF-8 key {@code ü} (C3 BC) arrives
 *     as {@code Ã¼} and does not match a UTF-8 row, exactly as with Postfix 3.7; bytes
 *     that are not valid in the encoding fail the query, as libpq's escaping does;</li>
 * <li>result text is converted to the encoding; a character it cannot hold fails the
 *     query, as the server's conversion does ({@code 22P05}).</li>
 * </ul>
 *
 * @param name    the PostgreSQL encoding name as configured
 * @param charset the Java equivalent
 */
record PgsqlEncoding(String name, Charset charset) {

    /** The encoding for a PostgreSQL name (case and punctuation ignored, as the server does); null if unknown. */
    static PgsqlEncoding forName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String java = switch (n) {
            case "utf8", "unicode", "sqlascii" -> "UTF-8";
            case "latin1", "iso88591" -> "ISO-8859-1";
            case "latin2", "iso88592" -> "ISO-8859-2";
            case "latin3", "iso88593" -> "ISO-8859-3";
            case "latin4", "iso88594" -> "ISO-8859-4";
            case "latin5", "iso88599" -> "ISO-8859-9";
            case "latin7", "iso885913" -> "ISO-8859-13";
            case "latin9", "iso885915" -> "ISO-8859-15";
            case "latin10", "iso885916" -> "ISO-8859-16";
            case "iso88595" -> "ISO-8859-5";
            case "iso88596" -> "ISO-8859-6";
            case "iso88597" -> "ISO-8859-7";
            case "iso88598" -> "ISO-8859-8";
            case "win1250", "win1251", "win1252", "win1253", "win1254", "win1255", "win1256", "win1257", "win1258" ->
                    "windows-" + n.substring(3);
            case "win866", "alt" -> "IBM866";
            case "win874" -> "x-windows-874";
            case "koi8r", "koi8" -> "KOI8-R";
            case "koi8u" -> "KOI8-U";
            case "eucjp" -> "EUC-JP";
            case "euccn" -> "GB2312";
            case "euckr" -> "EUC-KR";
            case "sjis", "shiftjis", "mskanji" -> "windows-31j";
            case "big5" -> "Big5";
            case "gbk" -> "GBK";
            case "gb18030" -> "GB18030";
            case "uhc" -> "x-windows-949";
            default -> null;
        };
        if (java == null || !Charset.isSupported(java)) return null;
        return new PgsqlEncoding(name, Charset.forName(java));
    }

    /** The query's bytes as the client sends them (an ISO-8859-1 string), read as text in this encoding. */
    String decodeQuery(String query) throws SQLException {
        if (charset == StandardCharsets.ISO_8859_1) return query;
        byte[] b = query.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new SQLException("cannot escape input string: invalid byte sequence for encoding \"" + name + "\"", "22021");
        }
    }

    /** Result text as the client's bytes (an ISO-8859-1 string) in this encoding. */
    String encodeValue(String value) throws SQLException {
        if (charset == StandardCharsets.ISO_8859_1) {
            for (int i = 0; i < value.length(); i++) if (value.charAt(i) > 0xff) throw unmappable(value, i);
            return value;
        }
        try {
            ByteBuffer out = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(value));
            return new String(out.array(), 0, out.limit(), StandardCharsets.ISO_8859_1);
        } catch (CharacterCodingException e) {
            int i = 0;
            while (i < value.length() && charset.newEncoder().canEncode(value.substring(i, value.offsetByCodePoints(i, 1)))) {
                i = value.offsetByCodePoints(i, 1);
            }
            throw unmappable(value, Math.min(i, value.length() - 1));
        }
    }

    /** The server's message for a character the client encoding lacks. */
    private SQLException unmappable(String value, int at) {
        String ch = value.substring(at, value.offsetByCodePoints(at, 1));
        StringBuilder hex = new StringBuilder();
        for (byte x : ch.getBytes(StandardCharsets.UTF_8)) hex.append(hex.isEmpty() ? "0x" : " 0x").append(String.format("%02x", x & 0xff));
        return new SQLException("ERROR: character with byte sequence " + hex + " in encoding \"UTF8\" has no equivalent in encoding \""
                + name.toUpperCase(Locale.ROOT) + "\"", "22P05");
    }
}
