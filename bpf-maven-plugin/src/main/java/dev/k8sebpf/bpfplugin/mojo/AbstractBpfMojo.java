package dev.k8sebpf.bpfplugin.mojo;

import dev.k8sebpf.bpfplugin.compile.Toolchain;
import dev.k8sebpf.bpfplugin.pipeline.BpfProject;
import java.io.File;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Configuration shared by the compile, generate and check goals (so check sees exactly what they do). */
abstract class AbstractBpfMojo extends AbstractMojo {

    /** Directory holding the {@code *.bpf.c} programs. */
    @Parameter(property = "bpf.sourceDirectory", defaultValue = "${project.basedir}/../bpf")
    File sourceDirectory;

    /** Include directories; {@code {arch}} is replaced by the target arch. Default: {@code <sources>/include}, {@code ../vmlinux/{arch}}. */
    @Parameter
    List<String> includes;

    /** clang runs here, with every path relative to it, so objects do not depend on the checkout's location. */
    @Parameter(property = "bpf.rootDirectory", defaultValue = "${project.basedir}/..")
    File rootDirectory;

    /** Objects are written to {@code <artifactsDirectory>/<arch>/<name>.bpf.o}. */
    @Parameter(property = "bpf.artifactsDirectory", defaultValue = "${project.basedir}/../artifacts")
    File artifactsDirectory;

    @Parameter(property = "bpf.generatedSourcesDirectory", defaultValue = "${project.basedir}/../generated-sources")
    File generatedSourcesDirectory;

    @Parameter(property = "bpf.packageName", defaultValue = "dev.k8sebpf.agent.bpf")
    String packageName;

    /** Extra struct/union/enum names to generate records for, beyond map keys and values. */
    @Parameter
    List<String> types;

    /** Target arches, as used in {@code __TARGET_ARCH_<arch>} and the artifacts directory. */
    @Parameter(defaultValue = "x86,arm64")
    List<String> arches;

    @Parameter(property = "bpf.clang", defaultValue = "clang-19")
    String clang;

    @Parameter(property = "bpf.llvmStrip", defaultValue = "llvm-strip-19")
    String llvmStrip;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    File buildDirectory;

    @Parameter(property = "bpf.skip", defaultValue = "false")
    boolean skip;

    BpfProject project() {
        List<String> dirs = includes != null && !includes.isEmpty() ? includes
                : List.of(new File(sourceDirectory, "include").getPath(),
                        new File(rootDirectory, "vmlinux/" + BpfProject.ARCH_PLACEHOLDER).getPath());
        return new BpfProject(rootDirectory.toPath(), sourceDirectory.toPath(), dirs, arches,
                types == null ? List.of() : types, packageName);
    }

    Toolchain toolchain() {
        return new Toolchain(clang, llvmStrip);
    }
}
