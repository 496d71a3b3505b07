package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.BpfLayouts;
import dev.k8sebpf.agent.bpf.CaptureKind;
import dev.k8sebpf.agent.bpf.HttpEvent;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-place view reads every field the generated decoder reads, at any offset in the ring. */
class HttpEventViewTest {
    private static final int TLS_RECORD = (int) HttpEvent.OFFSET_DATA + 4096;

    @Test
    void readsWhatTheGeneratedDecoderReads() {
        Random random = new Random(7);
        MemorySegment ring = Arena.ofAuto().allocate(4 * HttpEvent.SIZE);
        HttpEventView view = new HttpEventView();
        for (int i = 0; i < 100; i++) {
            byte[] bytes = new byte[(int) (4 * HttpEvent.SIZE)];
            random.nextBytes(bytes);
            MemorySegment.copy(bytes, 0, ring, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long offset = 8 * random.nextInt(3 * (int) HttpEvent.SIZE / 8);
            HttpEvent decoded = HttpEvent.decode(ring, offset);

            view.at(ring, offset, HttpEvent.SIZE);
            assertThat(view.connId()).isEqualTo(decoded.connId());
            assertThat(view.localAddr()).isEqualTo(decoded.localAddr());
            assertThat(view.remoteAddr()).isEqualTo(decoded.remoteAddr());
            assertThat(view.localPort()).isEqualTo(decoded.localPort());
            assertThat(view.remotePort()).isEqualTo(decoded.remotePort());
            assertThat(view.v4()).isEqualTo(decoded.family() == AddrFamily.FAMILY_V4);
            assertThat(view.tlsHello()).isEqualTo(decoded.kind() == CaptureKind.CAPTURE_TLS_HELLO);
            assertThat(view.bytes()).isEqualTo(decoded.bytes());
            assertThat(view.comm()).isEqualTo(decoded.comm());
            int captured = Math.min(decoded.captured(), decoded.data().length);
            assertThat(view.captured()).isEqualTo(captured);
            assertThat(Arrays.copyOf(view.data(), captured)).isEqualTo(Arrays.copyOf(decoded.data(), captured));
        }
    }

    @Test
    void aTlsRecordsDataRunsPastTheStructAndNoFurtherThanTheRecord() {
        Random random = new Random(11);
        MemorySegment ring = Arena.ofAuto().allocate(2L * TLS_RECORD);
        byte[] bytes = new byte[2 * TLS_RECORD];
        random.nextBytes(bytes);
        MemorySegment.copy(bytes, 0, ring, ValueLayout.JAVA_BYTE, 0, bytes.length);
        HttpEventView view = new HttpEventView();
        for (int captured : new int[] {5, 256, 257, 1800, 4096, 4097, 65535}) {
            ring.set(BpfLayouts.LE_SHORT, 8 + HttpEvent.OFFSET_CAPTURED, (short) captured);
            ring.set(ValueLayout.JAVA_BYTE, 8 + HttpEvent.OFFSET_KIND, (byte) CaptureKind.CAPTURE_TLS_HELLO.value());

            view.at(ring, 8, TLS_RECORD);
            int expected = Math.min(captured, 4096);
            assertThat(view.tlsHello()).isTrue();
            assertThat(view.captured()).isEqualTo(expected);
            assertThat(Arrays.copyOf(view.data(), expected))
                    .isEqualTo(Arrays.copyOfRange(bytes, 8 + (int) HttpEvent.OFFSET_DATA, 8 + (int) HttpEvent.OFFSET_DATA + expected));
            // a short record after a long one: bounded by its own length, not by the grown array
            view.at(ring, 8, HttpEvent.SIZE);
            assertThat(view.captured()).isEqualTo(Math.min(captured, 256));
        }
    }
}
