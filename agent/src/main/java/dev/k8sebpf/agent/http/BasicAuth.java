package dev.k8sebpf.agent.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * basic_auth_users: user name → bcrypt hash, checked as the exporter-toolkit does. bcrypt costs ~70 ms
 * per check at cost 10, so a scrape every few seconds (or a burst of them) must not pay it each time:
 * credentials that passed once are remembered, by a SHA-256 of user, hash and password, never the
 * password itself. Checks run one at a time so a flood of wrong passwords burns at most one core.
 */
final class BasicAuth {
    private static final int REMEMBERED = 100;
    /** Compared against for unknown users, so the response time does not tell which users exist. */
    private static final String DECOY = "$2y$10$0.AiVt3V8D8uZ23Wfdv3Rekkwd6K8g5q6CejQtsJXmXy7jayLrk4y";
    private static final String PREFIX = "basic ";

    private final Map<String, String> hashes;
    private final Object bcrypt = new Object();
    private final Map<String, Boolean> passed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    BasicAuth(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    int users() {
        return hashes.size();
    }

    /** The Authorization header's value (null when absent) names a user and that user's password. */
    boolean permits(String authorization) {
        if (authorization == null || authorization.length() < PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return false;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        String hash = hashes.get(user);
        boolean known = hash != null;
        String key = rememberedKey(user, known ? hash : DECOY, password);
        synchronized (passed) {
            if (known && passed.containsKey(key)) {
                return true;
            }
        }
        boolean matches;
        synchronized (bcrypt) {
            matches = OpenBSDBCrypt.checkPassword(known ? hash : DECOY, password);
        }
        if (known && matches) {
            synchronized (passed) {
                passed.put(key, Boolean.TRUE);
            }
        }
        return known && matches;
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static String rememberedKey(String user, String hash, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : new byte[][] {user.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII), password}) {
                // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
                sha.update(ByteBuffer.allocate(4).putInt(part.length).array());
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
