package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.KernelExpectations;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the real-kernel L7 suites share: the HTTP hooks of the tier a subclass names, attached for the
 * whole class, and a loopback address of its own for its servers. A tier that is not expected to work on
 * this kernel ({@link KernelExpectations}) is skipped; that it falls back there is L7TierSelectionTest's
 * to check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class L7TierSuite {
    L7Kernel kernel;
    final String address = Servers.randomLoopback();

    abstract L7HookTier tier();

    /** The suite follows responses (ENABLE_L7_RESPONSES). */
    boolean responses() {
        return false;
    }

    L7Kernel open(OwnProcess skipped) throws KernelException {
        L7Kernel opened = L7Kernel.open(Optional.of(tier()), skipped, true, responses());
        assertThat(opened.tier()).isEqualTo(tier());
        return opened;
    }

    @BeforeAll
    void attach() throws KernelException {
        KernelPreconditions.requireBpf();
        KernelExpectations expected = KernelExpectations.current();
        assumeTrue(expected.l7Works(tier().label()), "L7 tier " + tier().label() + " does not work on " + expected.name());
        kernel = open(OwnProcess.NOBODY);
    }

    @AfterAll
    void detach() {
        if (kernel != null) {
            kernel.close();
        }
    }
}
