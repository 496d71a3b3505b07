package dev.k8sebpf.bpfplugin.model;

import dev.k8sebpf.bpfplugin.btf.Btf;
import dev.k8sebpf.bpfplugin.btf.BtfType;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns BTF structs/unions/enums into {@link StructDef}/{@link EnumDef}, following nested types. */
final class TypeCollector {
    private final Btf btf;
    private final Map<Integer, String> javaNames = new HashMap<>();
    private final Map<String, Integer> idsByJavaName = new HashMap<>();
    private final List<StructDef> structs = new ArrayList<>();
    private final List<EnumDef> enums = new ArrayList<>();
    // how deep shapeOf and addFields are nested: past MAX_NESTING the BTF has a cycle (or is not a compiler's)
    private int nesting;

    private static final int MAX_NESTING = 64;

    TypeCollector(Btf btf) {
        this.btf = btf;
    }

    List<StructDef> structs() {
        return structs.stream().sorted(Comparator.comparing(StructDef::javaName)).toList();
    }

    List<EnumDef> enums() {
        return enums.stream().sorted(Comparator.comparing(EnumDef::javaName)).toList();
    }

    /** A struct, union, enum or typedef named in the plugin configuration; false if this BTF lacks it. */
    boolean addNamed(String name) throws ObjectFormatException, ModelException {
        for (int id = 1; id < btf.size(); id++) {
            BtfType t = btf.type(id);
            boolean match = t.name().equals(name) && (t instanceof BtfType.Struct || t instanceof BtfType.Enum
                    || t instanceof BtfType.Typedef td && isAggregate(btf.resolve(td.type())));
            if (match) {
                addReferenced(id);
                return true;
            }
        }
        return false;
    }

    /** A map key/value type: generates it if it is a struct, union or enum; scalars need nothing. */
    void addReferenced(int id) throws ObjectFormatException, ModelException {
        if (isAggregate(btf.resolve(id))) {
            shapeOf(id, "", "");
        }
    }

    private boolean isAggregate(int resolvedId) throws ObjectFormatException {
        BtfType t = btf.type(resolvedId);
        return t instanceof BtfType.Struct || t instanceof BtfType.Enum;
    }

    /** The shape of a value of type {@code id}, collecting the records and enums it needs. */
    Shape shapeOf(int id, String owner, String field) throws ObjectFormatException, ModelException {
        enter(id);
        try {
            return shapeOfNested(id, owner, field);
        } finally {
            nesting--;
        }
    }

    private void enter(int id) throws ObjectFormatException {
        if (++nesting > MAX_NESTING) {
            nesting--;
            throw new ObjectFormatException("BTF type " + id + " nests more than " + MAX_NESTING
                    + " arrays or anonymous members deep (a cycle?)");
        }
    }

    private Shape shapeOfNested(int id, String owner, String field) throws ObjectFormatException, ModelException {
        String typedefName = "";
        int cur = id;
        for (int hops = 0; hops <= btf.size(); hops++) {
            BtfType t = btf.type(cur);
            switch (t) {
                case BtfType.Typedef td -> {
                    typedefName = td.name();
                    cur = td.type();
                }
                case BtfType.Const c -> cur = c.type();
                case BtfType.Volatile v -> cur = v.type();
                case BtfType.Restrict r -> cur = r.type();
                case BtfType.TypeTag tt -> cur = tt.type();
                case BtfType.Int i -> {
                    return scalar(i, owner, field);
                }
                case BtfType.Ptr p -> {
                    return Shape.Scalar.U64;
                }
                case BtfType.Float f -> {
                    return switch (f.size()) {
                        case 4 -> Shape.Scalar.F32;
                        case 8 -> Shape.Scalar.F64;
                        default -> throw unsupported(owner, field, f.size() + "-byte floating point type " + f.name());
                    };
                }
                case BtfType.Array a -> {
                    Shape element = shapeOf(a.elementType(), owner, field);
                    return new Shape.Array(element, a.length(), btf.sizeOf(a.elementType()), isPlainChar(a.elementType()));
                }
                case BtfType.Struct s -> {
                    return new Shape.StructRef(struct(cur, s, name(s.name(), typedefName, owner, field)));
                }
                case BtfType.Enum e -> {
                    return new Shape.EnumRef(enumType(cur, e, name(e.name(), typedefName, owner, field)), e.size(), e.signed());
                }
                default -> throw unsupported(owner, field, "type " + t.getClass().getSimpleName().toLowerCase()
                        + (t.name().isEmpty() ? "" : " " + t.name()) + " cannot be generated");
            }
        }
        throw new ObjectFormatException("BTF type " + id + " is part of a modifier cycle");
    }

    private Shape.Scalar scalar(BtfType.Int i, String owner, String field) throws ModelException {
        if (i.isBool()) {
            if (i.size() != 1) {
                throw unsupported(owner, field, i.size() + "-byte bool");
            }
            return Shape.Scalar.BOOL;
        }
        return switch (i.size()) {
            case 1 -> i.signed() ? Shape.Scalar.S8 : Shape.Scalar.U8;
            case 2 -> i.signed() ? Shape.Scalar.S16 : Shape.Scalar.U16;
            case 4 -> i.signed() ? Shape.Scalar.S32 : Shape.Scalar.U32;
            case 8 -> i.signed() ? Shape.Scalar.S64 : Shape.Scalar.U64;
            default -> throw unsupported(owner, field, (i.size() * 8) + "-bit integer " + i.name());
        };
    }

    /** {@code char} itself (not {@code __u8}/{@code __s8}) marks a C string. */
    private boolean isPlainChar(int id) throws ObjectFormatException {
        BtfType t = btf.type(id);
        for (int hops = 0; hops <= btf.size() && (t instanceof BtfType.Const || t instanceof BtfType.Volatile); hops++) {
            t = btf.type(t instanceof BtfType.Const c ? c.type() : ((BtfType.Volatile) t).type());
        }
        return t instanceof BtfType.Int i && i.name().equals("char");
    }

    /** Named types keep their C name; anonymous ones take their typedef's or owner+field's. */
    private static String name(String cName, String typedefName, String owner, String field) {
        if (!cName.isEmpty()) {
            return Names.upperCamel(cName);
        }
        return typedefName.isEmpty() ? owner + Names.upperCamel(field) : Names.upperCamel(typedefName);
    }

    private String claim(int id, String javaName, String cName) throws ModelException {
        Integer other = idsByJavaName.putIfAbsent(javaName, id);
        if (other != null && other != id) {
            throw new ModelException("two C types map to the Java name " + javaName + " (" + cName + "): rename one");
        }
        javaNames.put(id, javaName);
        return javaName;
    }

    private String struct(int id, BtfType.Struct s, String javaName) throws ObjectFormatException, ModelException {
        if (javaNames.containsKey(id)) {
            return javaNames.get(id);
        }
        String cName = s.name().isEmpty() ? javaName : s.name();
        claim(id, javaName, cName);
        List<Field> fields = new ArrayList<>();
        addFields(s, 0, javaName, cName, fields);
        structs.add(new StructDef(cName, javaName, s.size(), s.union(), List.copyOf(fields)));
        return javaName;
    }

    /** Anonymous struct/union members are flattened into their parent, as C scopes them. */
    private void addFields(BtfType.Struct s, long baseBits, String javaName, String cName, List<Field> out)
            throws ObjectFormatException, ModelException {
        for (BtfType.Member m : s.members()) {
            long bitOffset = baseBits + m.bitOffset();
            BtfType resolved = btf.type(btf.resolve(m.type()));
            if (m.name().isEmpty()) {
                if (resolved instanceof BtfType.Struct inner) {
                    enter(m.type());
                    try {
                        addFields(inner, bitOffset, javaName, cName, out);
                    } finally {
                        nesting--;
                    }
                }
                continue; // unnamed bitfield: padding
            }
            int bitSize = m.bitfieldSize();
            if (bitSize == 0 && resolved instanceof BtfType.Int i && (i.bits() != i.size() * 8 || i.bitOffset() != 0)) {
                bitSize = i.bits(); // legacy encoding: bitfield described by the int type itself
                bitOffset += i.bitOffset();
            }
            Shape shape = shapeOf(m.type(), javaName, m.name());
            if (bitSize > 0) {
                if (!(shape instanceof Shape.Scalar || shape instanceof Shape.EnumRef)) {
                    throw unsupported(cName, m.name(), "bitfield of a non-integer type");
                }
                if (bitOffset % 8 + bitSize > 64) {
                    throw unsupported(cName, m.name(), "bitfield spans more than 8 bytes");
                }
            } else if (bitOffset % 8 != 0) {
                throw unsupported(cName, m.name(), "member at a bit offset that is not a byte boundary");
            }
            out.add(new Field(m.name(), Names.lowerCamel(m.name()), bitOffset, bitSize, shape));
        }
    }

    private String enumType(int id, BtfType.Enum e, String javaName) throws ModelException {
        if (javaNames.containsKey(id)) {
            return javaNames.get(id);
        }
        if (e.size() != 1 && e.size() != 2 && e.size() != 4 && e.size() != 8) {
            throw new ModelException("enum " + javaName + ": unsupported size " + e.size());
        }
        claim(id, javaName, e.name());
        List<EnumDef.Constant> constants = e.values().stream()
                .map(v -> new EnumDef.Constant(v.name(), v.value())).toList();
        enums.add(new EnumDef(e.name().isEmpty() ? javaName : e.name(), javaName, e.size(), e.signed(), constants));
        return javaName;
    }

    private static ModelException unsupported(String owner, String field, String what) {
        String where = owner.isEmpty() ? "" : "type " + owner + (field.isEmpty() ? "" : " field " + field) + ": ";
        return new ModelException(where + "unsupported BTF construct: " + what);
    }
}
