package dev.k8sebpf.bpfplugin.btf;

import java.util.List;

/**
 * One BTF type, one record per kind the kernel defines (include/uapi/linux/btf.h). References to other
 * types are type ids into the same {@link Btf}; id 0 is void.
 */
public sealed interface BtfType {

    /** The type's own name, "" when anonymous or when the kind has no name. */
    String name();

    record Void() implements BtfType {
        public String name() {
            return "void";
        }
    }

    /** BTF_KIND_INT. {@code bitOffset}/{@code bits} are the legacy in-type bitfield encoding. */
    record Int(String name, int size, boolean signed, boolean isChar, boolean isBool, int bitOffset, int bits)
            implements BtfType {}

    record Ptr(int type) implements BtfType {
        public String name() {
            return "";
        }
    }

    record Array(int elementType, int indexType, int length) implements BtfType {
        public String name() {
            return "";
        }
    }

    /** A struct or union member; {@code bitfieldSize} is 0 unless the member is a bitfield. */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {}

    /** BTF_KIND_STRUCT and BTF_KIND_UNION. */
    record Struct(String name, int size, boolean union, List<Member> members) implements BtfType {}

    record EnumValue(String name, long value) {}

    /** BTF_KIND_ENUM and BTF_KIND_ENUM64 ({@code wide}). */
    record Enum(String name, int size, boolean signed, boolean wide, List<EnumValue> values) implements BtfType {}

    record Fwd(String name, boolean union) implements BtfType {}

    record Typedef(String name, int type) implements BtfType {}

    record Volatile(int type) implements BtfType {
        public String name() {
            return "";
        }
    }

    record Const(int type) implements BtfType {
        public String name() {
            return "";
        }
    }

    record Restrict(int type) implements BtfType {
        public String name() {
            return "";
        }
    }

    record Func(String name, int protoType, int linkage) implements BtfType {}

    record Param(String name, int type) {}

    record FuncProto(int returnType, List<Param> params) implements BtfType {
        public String name() {
            return "";
        }
    }

    record Var(String name, int type, int linkage) implements BtfType {}

    record VarSecInfo(int type, int offset, int size) {}

    record Datasec(String name, int size, List<VarSecInfo> vars) implements BtfType {}

    record Float(String name, int size) implements BtfType {}

    /** {@code componentIndex} is -1 for a tag on the type itself, else the member/parameter index. */
    record DeclTag(String name, int type, int componentIndex) implements BtfType {}

    record TypeTag(String name, int type) implements BtfType {}
}
