package dev.k8sebpf.bpfplugin.btf;

import dev.k8sebpf.bpfplugin.elf.LeReader;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.util.ArrayList;
import java.util.List;

/** Decodes one {@code struct btf_type} and its kind-specific trailing data. */
final class BtfTypeReader {
    private static final int TYPE_HEADER = 12;
    private final LeReader r;
    private final long strOff;
    private final long strLen;

    BtfTypeReader(LeReader r, long strOff, long strLen) {
        this.r = r;
        this.strOff = strOff;
        this.strLen = strLen;
    }

    /** Reads the type at {@code pos}, appends it and returns the position of the next one. */
    long read(long pos, List<BtfType> out) throws ObjectFormatException {
        String name = str(r.u32(pos));
        long info = r.u32(pos + 4);
        int sizeOrType = (int) r.u32(pos + 8);
        int vlen = (int) (info & 0xffff);
        int kind = (int) ((info >>> 24) & 0x1f);
        boolean kindFlag = (info >>> 31) != 0;
        long data = pos + TYPE_HEADER;
        switch (kind) {
            case 1 -> {
                long enc = r.u32(data);
                int encoding = (int) ((enc >>> 24) & 0xf);
                out.add(new BtfType.Int(name, sizeOrType, (encoding & 1) != 0, (encoding & 2) != 0,
                        (encoding & 4) != 0, (int) ((enc >>> 16) & 0xff), (int) (enc & 0xff)));
                return data + 4;
            }
            case 2 -> out.add(new BtfType.Ptr(sizeOrType));
            case 3 -> {
                out.add(new BtfType.Array((int) r.u32(data), (int) r.u32(data + 4), (int) r.u32(data + 8)));
                return data + 12;
            }
            case 4, 5 -> {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = data + 12L * i;
                    long offset = r.u32(m + 8);
                    members.add(kindFlag
                            ? new BtfType.Member(str(r.u32(m)), (int) r.u32(m + 4), (int) (offset & 0xffffff), (int) (offset >>> 24))
                            : new BtfType.Member(str(r.u32(m)), (int) r.u32(m + 4), (int) offset, 0));
                }
                out.add(new BtfType.Struct(name, sizeOrType, kind == 5, List.copyOf(members)));
                return data + 12L * vlen;
            }
            case 6 -> {
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long v = data + 8L * i;
                    long raw = r.u32(v + 4);
                    values.add(new BtfType.EnumValue(str(r.u32(v)), kindFlag ? (long) (int) raw : raw));
                }
                // kind_flag: 1 = signed values, 0 = unsigned.
                out.add(new BtfType.Enum(name, sizeOrType, kindFlag, false, List.copyOf(values)));
                return data + 8L * vlen;
            }
            case 7 -> out.add(new BtfType.Fwd(name, kindFlag));
            case 8 -> out.add(new BtfType.Typedef(name, sizeOrType));
            case 9 -> out.add(new BtfType.Volatile(sizeOrType));
            case 10 -> out.add(new BtfType.Const(sizeOrType));
            case 11 -> out.add(new BtfType.Restrict(sizeOrType));
            case 12 -> out.add(new BtfType.Func(name, sizeOrType, vlen));
            case 13 -> {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long p = data + 8L * i;
                    params.add(new BtfType.Param(str(r.u32(p)), (int) r.u32(p + 4)));
                }
                out.add(new BtfType.FuncProto(sizeOrType, List.copyOf(params)));
                return data + 8L * vlen;
            }
            case 14 -> {
                out.add(new BtfType.Var(name, sizeOrType, (int) r.u32(data)));
                return data + 4;
            }
            case 15 -> {
                List<BtfType.VarSecInfo> vars = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long v = data + 12L * i;
                    vars.add(new BtfType.VarSecInfo((int) r.u32(v), (int) r.u32(v + 4), (int) r.u32(v + 8)));
                }
                out.add(new BtfType.Datasec(name, sizeOrType, List.copyOf(vars)));
                return data + 12L * vlen;
            }
            case 16 -> out.add(new BtfType.Float(name, sizeOrType));
            case 17 -> {
                out.add(new BtfType.DeclTag(name, sizeOrType, (int) r.u32(data)));
                return data + 4;
            }
            case 18 -> out.add(new BtfType.TypeTag(name, sizeOrType));
            case 19 -> {
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long v = data + 12L * i;
                    values.add(new BtfType.EnumValue(str(r.u32(v)), (r.u32(v + 8) << 32) | r.u32(v + 4)));
                }
                out.add(new BtfType.Enum(name, sizeOrType, kindFlag, true, List.copyOf(values)));
                return data + 12L * vlen;
            }
            default -> throw new ObjectFormatException("unknown BTF kind " + kind + " at type id " + out.size());
        }
        return data;
    }

    private String str(long off) throws ObjectFormatException {
        return r.string(strOff, strLen, off, "BTF name");
    }
}
