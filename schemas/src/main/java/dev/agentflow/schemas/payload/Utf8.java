package dev.agentflow.schemas.payload;

/** UTF-8 sizes and cuts, without encoding whole texts. */
public final class Utf8 {

    private Utf8() {
    }

    /** How many bytes {@code text} takes in UTF-8, as {@code String.getBytes(UTF_8)} writes it. */
    public static long length(CharSequence text) {
        long bytes = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++; // String.getBytes(UTF_8) writes an unpaired surrogate as '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of {@code bytes[0..length)} that ends on a character boundary. */
    public static int boundary(byte[] bytes, int length) {
        int end = Math.min(length, bytes.length);
        if (end == bytes.length) {
            return end;
        }
        int start = end;
        while (start > 0 && (bytes[start - 1] & 0xC0) == 0x80 && end - start < 3) {
            start--;
        }
        if (start == 0) {
            return end;
        }
        int lead = bytes[start - 1] & 0xFF;
        int size = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return end - (start - 1) >= size ? end : start - 1;
    }

    /** The first {@code maxChars} characters of {@code text}, never splitting a surrogate pair. */
    public static String head(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
