package dev.k8sebpf.bpfplugin.mojo;

import dev.k8sebpf.bpfplugin.compile.CompileException;
import java.io.IOException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/** Compiles every {@code *.bpf.c} for every arch; skips clang for objects whose inputs did not change. */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class CompileMojo extends AbstractBpfMojo {

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            return;
        }
        try {
            int built = project().compile(toolchain(), artifactsDirectory.toPath(),
                    buildDirectory.toPath().resolve("bpf-stamps"));
            getLog().info("bpf: " + (built == 0 ? "objects up to date" : built + " object(s) compiled")
                    + " in " + artifactsDirectory);
        } catch (CompileException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoFailureException("bpf: " + e);
        }
    }
}
