package dev.k8sebpf.bpfplugin.mojo;

import dev.k8sebpf.bpfplugin.pipeline.GenerationException;
import dev.k8sebpf.bpfplugin.pipeline.SourceTree;
import java.io.IOException;
import java.util.SortedMap;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/** Generates records and skeletons from the compiled objects' BTF into the generated sources directory. */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractBpfMojo {

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            return;
        }
        try {
            SortedMap<String, String> files = project().generate(artifactsDirectory.toPath());
            SourceTree.write(generatedSourcesDirectory.toPath(), files);
            getLog().info("bpf: " + files.size() + " Java file(s) in " + generatedSourcesDirectory);
        } catch (GenerationException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoFailureException("bpf: " + e);
        }
    }
}
