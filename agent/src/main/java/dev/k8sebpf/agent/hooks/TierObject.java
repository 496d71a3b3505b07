package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.bpf.BpfSkeletons;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import java.util.function.Predicate;

/**
 * A tier's object opened fresh: only that tier's programs are loaded, so a tier the kernel rejects
 * (e.g. fentry where tracing programs get EPERM) does not take the others down.
 */
public final class TierObject {
    private TierObject() {
    }

    /** Opens elf (the tier's object, for any arch), applies {@code rodata} and loads the tier's programs; nothing is attached. */
    public static BpfObject load(Tier tier, byte[] elf, byte[] rodata) throws TierUnavailable {
        return load(tier, tier::owns, elf, rodata);
    }

    /** As {@link #load(Tier, byte[], byte[])}, loading only the tier's programs that {@code wanted} accepts. */
    public static BpfObject load(Tier tier, Predicate<BpfProgram> wanted, byte[] elf, byte[] rodata) throws TierUnavailable {
        BpfObject object;
        try {
            // libbpf names the object's maps after it (e.g. connect.rodata in bpftool)
            object = BpfObject.open(tier.objectFile().substring(0, tier.objectFile().indexOf('.')), elf);
        } catch (BpfException e) {
            throw new TierUnavailable("open " + tier.objectFile(), e);
        }
        try {
            boolean any = false;
            for (BpfProgram program : object.programs()) {
                boolean ours = wanted.test(program);
                program.setAutoload(ours);
                any |= ours;
            }
            if (!any) {
                throw new TierUnavailable("no " + tier.label() + " programs in " + tier.objectFile());
            }
            object.map(BpfSkeletons.RodataImage.MAP_NAME).setInitialValue(rodata);
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
