package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;

/**
 * The connect object opened fresh for one tier: only that tier's programs are loaded, so a tier the
 * kernel rejects (e.g. fentry where tracing programs get EPERM) does not take the others down.
 */
final class TierObject {
    private TierObject() {
    }

    /** Opens, applies {@code .rodata} and loads (verifier) the tier's programs; nothing is attached yet. */
    static BpfObject load(HookTier tier, byte[] elf, byte[] rodata) throws TierUnavailable {
        BpfObject object;
        try {
            object = BpfObject.open("connect", elf);
        } catch (BpfException e) {
            throw new TierUnavailable("open", e);
        }
        try {
            boolean any = false;
            for (BpfProgram program : object.programs()) {
                boolean ours = tier.owns(program.section());
                program.setAutoload(ours);
                any |= ours;
            }
            if (!any) {
                throw new TierUnavailable("no " + tier.label() + " programs in " + ConnectSkeleton.OBJECT_FILE);
            }
            object.map(ConnectSkeleton.Rodata.MAP_NAME).setInitialValue(rodata);
        } catch (BpfException e) {
            object.close();
            throw new TierUnavailable("configure", e);
        } catch (TierUnavailable e) {
            object.close();
            throw e;
        }
        try {
            object.load();
            return object;
        } catch (BpfException e) {
            object.close();
            throw new TierUnavailable("load", e);
        }
    }
}
