package dev.k8sebpf.bpfplugin.mojo;

import dev.k8sebpf.bpfplugin.compile.CompileException;
import dev.k8sebpf.bpfplugin.compile.ToolMissingException;
import dev.k8sebpf.bpfplugin.pipeline.BpfProject;
import dev.k8sebpf.bpfplugin.pipeline.GenerationException;
import dev.k8sebpf.bpfplugin.pipeline.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Fails when the committed objects or generated sources are not what compile + generate would produce
 * now. Builds into target/ with the same flags and paths, so equal inputs give equal bytes. Without
 * clang it says once that it did not check, and the build uses the committed files.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class CheckMojo extends AbstractBpfMojo {

    /** The command printed on a stale result; it must regenerate exactly the checked files. */
    @Parameter(property = "bpf.regenerateCommand", defaultValue = "./mvnw -Pregenerate -DskipTests package")
    String regenerateCommand;

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            return;
        }
        Path work = buildDirectory.toPath().resolve("bpf-check");
        Path artifacts = work.resolve("artifacts");
        Path generated = work.resolve("generated-sources");
        BpfProject project = project();
        try {
            project.compile(toolchain(), artifacts, work.resolve("stamps"));
            deleteTree(generated);
            SourceTree.write(generated, project.generate(artifacts));
            List<String> stale = new ArrayList<>();
            root(artifactsDirectory.toPath(), SourceTree.differences(artifacts, artifactsDirectory.toPath(), ".bpf.o"), stale);
            root(generatedSourcesDirectory.toPath(), SourceTree.differences(generated, generatedSourcesDirectory.toPath(), ""), stale);
            if (!stale.isEmpty()) {
                throw new MojoFailureException("bpf: committed files are stale; regenerate them with: " + regenerateCommand
                        + "\n  " + String.join("\n  ", stale));
            }
            getLog().info("bpf: committed objects and generated sources are up to date");
        } catch (ToolMissingException e) {
            getLog().info("bpf: not checked (" + e.getMessage() + "); using the committed generated-sources/ and artifacts/");
        } catch (CompileException | GenerationException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoFailureException("bpf: " + e);
        }
    }

    private void root(Path dir, List<String> relative, List<String> out) {
        Path base = rootDirectory.toPath().toAbsolutePath().normalize();
        for (String r : relative) {
            out.add(base.relativize(dir.toAbsolutePath().normalize().resolve(r)).toString());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
