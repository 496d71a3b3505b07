package dev.k8sebpf.agent.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided (Jazzer, see FUZZING.md): any file either reads or fails with a one-line
 * {@link MappingFileException}, never another exception; what it reads is consistent.
 */
class MappingFileFuzzTest {
    static {
        // one info line per read would flood a fuzzing run
        System.setProperty("org.slf4j.simpleLogger.log.dev.k8sebpf.agent.mapping.MappingFile", "warn");
    }

    private static final Path FILE = tempFile();

    // the words of kubectl's output, so mutations build objects the reader takes apart instead of YAML errors
    @DictionaryEntries({"apiVersion: v1", "apiVersion: discovery.k8s.io/v1", "kind: List", "kind: Service",
        "kind: EndpointSlice", "items:", "metadata:", "name: ", "namespace: ", "labels:", "kubernetes.io/service-name: ",
        "spec:", "clusterIP: ", "clusterIPs: ", "None", "endpoints:", "addresses: ", "addressType: FQDN", "targetRef:",
        "kind: Pod", "- ", "~", "null", "[", "]", "{", "}", ", ", "---", "10.96.0.1", "fd00::1"})
    @FuzzTest
    void fuzzRead(byte[] content) throws IOException {
        Files.write(FILE, content);
        MappingFile mappings;
        try {
            mappings = MappingFile.read(FILE);
        } catch (MappingFileException e) {
            assertThat(e.getMessage()).startsWith("MAPPING_FILE " + FILE + ": ").doesNotContain("\n", "\r");
            return;
        }
        mappings.addresses().forEach((ip, destination) -> {
            assertThat(destination.namespace()).isNotEmpty();
            assertThat(destination.service()).isNotEmpty();
            assertThat(destination.pod()).isNotNull();
            // every address belongs to a Service that gets its activation series
            assertThat(mappings.services()).contains(new MappingFile.ServiceName(destination.namespace(), destination.service()));
        });
    }

    private static Path tempFile() {
        try {
            Path file = Files.createTempFile("mapping-fuzz", ".yaml");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
