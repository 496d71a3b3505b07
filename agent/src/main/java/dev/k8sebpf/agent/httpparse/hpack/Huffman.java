package dev.k8sebpf.agent.httpparse.hpack;

/**
 * HPACK's Huffman code (RFC 7541 Appendix B), decoding only. The code is canonical: symbols sorted by
 * (code length, symbol) take consecutive codes, so the table below holds only each symbol's length and
 * the codes are rebuilt from it into a binary tree at class load.
 */
final class Huffman {
    private static final int EOS = 256;
    private static final int[] LENGTHS = {
            13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
            6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
            13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
            15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
            20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
            22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
            26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
            20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
            30,
    };
    /**
     * The tree: node n's children are TREE[2n] (bit 0) and TREE[2n + 1] (bit 1); a child value >= 0 is
     * the next node, a negative one is ~symbol. Node 0 is the root; 256 inner nodes for 257 leaves.
     */
    private static final int[] TREE = new int[2 * 256];

    static {
        Integer[] order = new Integer[LENGTHS.length];
        for (int s = 0; s < order.length; s++) {
            order[s] = s;
        }
        java.util.Arrays.sort(order, (a, b) -> LENGTHS[a] != LENGTHS[b] ? LENGTHS[a] - LENGTHS[b] : a - b);
        int nodes = 1;
        long code = 0;
        int length = LENGTHS[order[0]];
        for (int i = 0; i < order.length; i++) {
            int symbol = order[i];
            if (i > 0) {
                code = (code + 1) << (LENGTHS[symbol] - length);
            }
            length = LENGTHS[symbol];
            int node = 0;
            for (int bit = length - 1; bit > 0; bit--) {
                int slot = 2 * node + (int) ((code >>> bit) & 1);
                if (TREE[slot] == 0) {
                    TREE[slot] = nodes++;
                }
                node = TREE[slot];
            }
            TREE[2 * node + (int) (code & 1)] = ~symbol;
        }
    }

    private Huffman() {
    }

    /**
     * Decodes {@code b[from, to)} into {@code out} (which must hold 8/5 × the input: the shortest code
     * has 5 bits); returns the decoded length, or -1 for input RFC 7541 5.2 calls an error (EOS inside,
     * padding longer than 7 bits or not all ones).
     */
    static int decode(byte[] b, int from, int to, byte[] out) {
        int n = 0;
        int node = 0;
        int depth = 0; // bits since the last symbol
        boolean allOnes = true;
        for (int i = from; i < to; i++) {
            int octet = b[i] & 0xff;
            for (int bit = 7; bit >= 0; bit--) {
                int one = (octet >>> bit) & 1;
                int child = TREE[2 * node + one];
                depth++;
                allOnes &= one == 1;
                if (child < 0) {
                    if (~child == EOS) {
                        return -1;
                    }
                    out[n++] = (byte) ~child;
                    node = 0;
                    depth = 0;
                    allOnes = true;
                } else {
                    node = child;
                }
            }
        }
        return depth > 7 || !allOnes ? -1 : n;
    }

    /** The longest output {@link #decode} can produce from {@code length} input bytes. */
    static int maxDecodedLength(int length) {
        return length * 8 / 5;
    }
}
