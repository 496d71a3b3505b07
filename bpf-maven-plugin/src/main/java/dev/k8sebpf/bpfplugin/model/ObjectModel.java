package dev.k8sebpf.bpfplugin.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything generated from one object for one arch. Two arches' models must be equal (layout is
 * arch-independent for what we generate); {@link LayoutComparison} names the first difference.
 * {@code configuredTypesFound} are the {@code <types>} names this object's BTF holds (each object may
 * hold only some of them).
 */
public record ObjectModel(String baseName, List<ProgramDef> programs, List<MapDef> maps, List<StructDef> structs,
                          List<EnumDef> enums, List<RodataVar> rodataVars, byte[] rodataImage,
                          List<String> configuredTypesFound) {

    /** {@code connect} for {@code connect.bpf.o}. */
    public String objectFile() {
        return baseName + ".bpf.o";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectModel m && baseName.equals(m.baseName) && programs.equals(m.programs)
                && maps.equals(m.maps) && structs.equals(m.structs) && enums.equals(m.enums)
                && rodataVars.equals(m.rodataVars) && Arrays.equals(rodataImage, m.rodataImage)
                && configuredTypesFound.equals(m.configuredTypesFound);
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseName, programs, maps, structs, enums, rodataVars, Arrays.hashCode(rodataImage), configuredTypesFound);
    }

    @Override
    public String toString() {
        return "ObjectModel[" + baseName + "]";
    }
}
