package dev.k8sebpf.bpfplugin.btf;

import dev.k8sebpf.bpfplugin.elf.LeReader;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parsed contents of a {@code .BTF} section: an immutable list of types indexed by type id. */
public final class Btf {
    private static final int MAGIC = 0xeb9f;
    private final List<BtfType> types;

    private Btf(List<BtfType> types) {
        this.types = types;
    }

    public static Btf parse(byte[] section) throws ObjectFormatException {
        LeReader r = new LeReader(section);
        if (section.length < 24 || r.u16(0) != MAGIC) {
            throw new ObjectFormatException(".BTF section has no BTF magic 0xeb9f");
        }
        if (r.u8(2) != 1) {
            throw new ObjectFormatException("unsupported BTF version " + r.u8(2));
        }
        long hdrLen = r.u32(4);
        long typeOff = hdrLen + r.u32(8);
        long typeLen = r.u32(12);
        long strOff = hdrLen + r.u32(16);
        long strLen = r.u32(20);
        r.check(typeOff, typeLen, "BTF type section");
        r.check(strOff, strLen, "BTF string section");
        BtfTypeReader reader = new BtfTypeReader(r, strOff, strLen);
        List<BtfType> types = new ArrayList<>();
        types.add(new BtfType.Void());
        long pos = typeOff;
        while (pos < typeOff + typeLen) {
            pos = reader.read(pos, types);
        }
        return new Btf(List.copyOf(types));
    }

    public int size() {
        return types.size();
    }

    public BtfType type(int id) throws ObjectFormatException {
        if (id < 0 || id >= types.size()) {
            throw new ObjectFormatException("BTF type id " + id + " out of range (" + types.size() + " types)");
        }
        return types.get(id);
    }

    public List<BtfType> types() {
        return types;
    }

    /** Id of the first type of the given record class and name. */
    public Optional<Integer> find(Class<? extends BtfType> kind, String name) {
        for (int id = 1; id < types.size(); id++) {
            BtfType t = types.get(id);
            if (kind.isInstance(t) && t.name().equals(name)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** Follows typedefs and const/volatile/restrict/type-tag modifiers to the underlying type id. */
    public int resolve(int id) throws ObjectFormatException {
        for (int hops = 0; hops < types.size() + 1; hops++) {
            switch (type(id)) {
                case BtfType.Typedef t -> id = t.type();
                case BtfType.Const t -> id = t.type();
                case BtfType.Volatile t -> id = t.type();
                case BtfType.Restrict t -> id = t.type();
                case BtfType.TypeTag t -> id = t.type();
                default -> {
                    return id;
                }
            }
        }
        throw new ObjectFormatException("BTF type " + id + " is part of a modifier cycle");
    }

    /**
     * Size in bytes of a sized type (after {@link #resolve}); arrays multiply their element size. BTF sizes
     * and lengths are unsigned 32-bit; an array of itself or a size past 2^63 is malformed BTF.
     */
    public long sizeOf(int id) throws ObjectFormatException {
        long elements = 1;
        int cur = id;
        for (int hops = 0; hops <= types.size(); hops++) {
            int resolved = resolve(cur);
            BtfType t = type(resolved);
            if (t instanceof BtfType.Array a) {
                elements = multiply(elements, Integer.toUnsignedLong(a.length()), id);
                cur = a.elementType();
                continue;
            }
            int size = switch (t) {
                case BtfType.Int i -> i.size();
                case BtfType.Struct st -> st.size();
                case BtfType.Enum e -> e.size();
                case BtfType.Float f -> f.size();
                case BtfType.Ptr p -> 8;
                case BtfType.Datasec d -> d.size();
                case BtfType other -> throw new ObjectFormatException(
                        "BTF type " + resolved + " (" + other.getClass().getSimpleName() + ") has no size");
            };
            return multiply(elements, Integer.toUnsignedLong(size), id);
        }
        throw new ObjectFormatException("BTF type " + id + " is an array of itself");
    }

    private static long multiply(long a, long b, int id) throws ObjectFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ObjectFormatException("BTF type " + id + " is larger than 2^63 bytes");
        }
    }
}
