package dev.k8sebpf.agent.mapping;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteOrder;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address as two longs (network order). IPv4 is stored in its v4-mapped form
 * (::ffff:a.b.c.d) so that a Java client's v4-mapped connect and a plain IPv4 ClusterIP are the same key.
 */
public record IpKey(long hi, long lo) {
    private static final long V4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;
    private static final long V4_MAPPED_MASK = 0xffff_ffff_0000_0000L;
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** @param addr 4 or 16 bytes, network order */
    public static IpKey of(byte[] addr) {
        return switch (addr.length) {
            case 4 -> new IpKey(0, v4Lo(addr));
            case 16 -> new IpKey(v6Hi(addr), v6Lo(addr));
            default -> throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + addr.length);
        };
    }

    /** Accepts a dotted quad or an IPv6 literal (no zone); never resolves names. */
    public static IpKey parse(String ip) {
        try {
            if (ip.indexOf(':') >= 0 && ip.indexOf('%') < 0) {
                return of(Inet6Address.ofLiteral(ip).getAddress());
            }
            if (DOTTED_QUAD.matcher(ip).matches()) {
                return of(Inet4Address.ofLiteral(ip).getAddress());
            }
        } catch (IllegalArgumentException e) {
            // reported below with the text that failed
        }
        throw new IllegalArgumentException("not an IP address: \"" + ip + "\"");
    }

    /** High half of a 16-byte kernel address buffer; IPv4 (family 4) is in its first 4 bytes. Allocation-free. */
    public static long hiOf(byte[] addr16, boolean v4) {
        return v4 ? 0 : v6Hi(addr16);
    }

    /** Low half, see {@link #hiOf}. */
    public static long loOf(byte[] addr16, boolean v4) {
        return v4 ? v4Lo(addr16) : v6Lo(addr16);
    }

    private static long v4Lo(byte[] addr) {
        return V4_MAPPED_PREFIX | ((int) BIG_ENDIAN_INT.get(addr, 0) & 0xffff_ffffL);
    }

    private static long v6Hi(byte[] addr) {
        return (long) BIG_ENDIAN_LONG.get(addr, 0);
    }

    private static long v6Lo(byte[] addr) {
        return (long) BIG_ENDIAN_LONG.get(addr, 8);
    }

    public boolean isV4() {
        return hi == 0 && (lo & V4_MAPPED_MASK) == V4_MAPPED_PREFIX;
    }

    /** Dotted quad for IPv4, RFC 5952 (lowercase, longest zero run as "::") for IPv6. */
    @Override
    public String toString() {
        if (isV4()) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            long half = i < 4 ? hi : lo;
            groups[i] = (int) (half >>> (48 - 16 * (i % 4))) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
