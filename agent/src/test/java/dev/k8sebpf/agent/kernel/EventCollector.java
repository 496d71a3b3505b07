package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.ConnectEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Drains an {@link L4Kernel} and keeps the events for one destination (other processes connect too). */
final class EventCollector {
    private static final long SETTLE_MILLIS = 300;
    private static final long TIMEOUT_MILLIS = 5_000;

    private final L4Kernel kernel;
    private final List<ConnectEvent> all = new ArrayList<>();

    EventCollector(L4Kernel kernel) {
        this.kernel = kernel;
        drain(); // forget what arrived before this test
        all.clear();
    }

    /**
     * Events to this address and port: polls until {@code expected} have arrived (or a timeout), then once
     * more after a pause, so that extra events would be seen too.
     */
    List<ConnectEvent> to(String address, int port, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (matching(address, port).size() < expected && System.currentTimeMillis() < deadline) {
            drain();
            Thread.sleep(20);
        }
        Thread.sleep(SETTLE_MILLIS);
        drain();
        return matching(address, port);
    }

    private void drain() {
        kernel.poll(all::add);
    }

    private List<ConnectEvent> matching(String address, int port) {
        byte[] wanted = bytes(address);
        return all.stream()
                .filter(e -> e.dport() == port)
                .filter(e -> e.family() == (wanted.length == 4 ? AddrFamily.FAMILY_V4 : AddrFamily.FAMILY_V6))
                .filter(e -> Arrays.equals(Arrays.copyOf(e.daddr(), wanted.length), wanted))
                .toList();
    }

    private static byte[] bytes(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
