package dev.k8sebpf.agent.tlsparse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Syntactically valid ClientHello records with chosen extensions in a chosen order, for the tests. */
public final class TestHellos {
    private TestHellos() {
    }

    /** What an X25519MLKEM768 client sends: a 1216-byte key share, before server_name and ALPN. */
    public static byte[] postQuantum(String serverName, List<String> alpn) {
        return record(keyShare(0x11EC, 1216), serverName(serverName), alpn(alpn), supportedVersions());
    }

    /** A record holding one ClientHello with these extensions (each from {@link #extension}). */
    public static byte[] record(byte[]... extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});
        body.writeBytes(random(32, 1));
        body.write(32);
        body.writeBytes(random(32, 2)); // session id
        body.writeBytes(new byte[] {0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03});
        body.writeBytes(new byte[] {1, 0});
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] extension : extensions) {
            all.writeBytes(extension);
        }
        u16(body, all.size());
        body.writeBytes(all.toByteArray());
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1);
        handshake.write(body.size() >>> 16);
        u16(handshake, body.size() & 0xffff);
        handshake.writeBytes(body.toByteArray());
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {22, 3, 1});
        u16(record, handshake.size());
        record.writeBytes(handshake.toByteArray());
        return record.toByteArray();
    }

    public static byte[] extension(int type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    public static byte[] serverName(String name) {
        byte[] host = name.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        u16(list, host.length + 3);
        list.write(0);
        u16(list, host.length);
        list.writeBytes(host);
        return extension(0, list.toByteArray());
    }

    public static byte[] alpn(List<String> protocols) {
        ByteArrayOutputStream ids = new ByteArrayOutputStream();
        for (String protocol : protocols) {
            ids.write(protocol.length());
            ids.writeBytes(protocol.getBytes(StandardCharsets.US_ASCII));
        }
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        u16(list, ids.size());
        list.writeBytes(ids.toByteArray());
        return extension(16, list.toByteArray());
    }

    public static byte[] keyShare(int group, int keyLength) {
        ByteArrayOutputStream shares = new ByteArrayOutputStream();
        u16(shares, keyLength + 4);
        u16(shares, group);
        u16(shares, keyLength);
        shares.writeBytes(random(keyLength, 3));
        return extension(51, shares.toByteArray());
    }

    public static byte[] supportedVersions() {
        return extension(43, new byte[] {2, 3, 4});
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value & 0xff);
    }
}
