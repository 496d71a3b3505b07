package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;

/** Forces collections until a fresh weakly held object is gone, so whatever is only weakly held is gone too. */
public final class Gc {
    private Gc() {
    }

    public static void collect() {
        var sentinel = new WeakReference<>(new Object());
        for (int round = 0; round < 50 && sentinel.get() != null; round++) {
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024];
            }
            System.gc();
        }
        assertThat(sentinel.get()).as("a weakly held object survived 50 forced collections").isNull();
    }
}
