package dev.k8sebpf.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A listener on a loopback address that accepts and closes every connection, on its own port. */
final class LoopbackServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;

    LoopbackServer(String address) {
        try {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket accepted = socket.accept()) {
                    accepted.shutdownOutput();
                } catch (IOException closedOrReset) {
                    // closed by close(), or a client gone already: nothing to serve either way
                }
            }
        });
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join();
    }
}
