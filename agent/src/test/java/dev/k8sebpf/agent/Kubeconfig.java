package dev.k8sebpf.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig for a child process, pointing at the test's mock API server. */
final class Kubeconfig {
    private Kubeconfig() {
    }

    static Path write(Path dir, String apiServer) throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster: {server: "%s"}
                contexts:
                - name: test
                  context: {cluster: test, user: test}
                current-context: test
                users:
                - name: test
                  user: {token: test}
                """.formatted(apiServer));
    }
}
