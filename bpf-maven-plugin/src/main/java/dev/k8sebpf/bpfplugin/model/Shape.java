package dev.k8sebpf.bpfplugin.model;

/** What a field holds, independent of the target arch, so two objects' layouts compare with equals. */
public sealed interface Shape {

    /** Fixed-width scalars; pointers are carried as {@code U64} raw addresses. */
    enum Scalar implements Shape {
        BOOL(1), S8(1), U8(1), S16(2), U16(2), S32(4), U32(4), S64(8), U64(8), F32(4), F64(8);

        private final int size;

        Scalar(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }

        public boolean signed() {
            return this == S8 || this == S16 || this == S32 || this == S64;
        }

        /** One-byte integers, which arrays carry as {@code byte[]}. */
        public boolean byteSized() {
            return this == S8 || this == U8;
        }
    }

    /** A C array; {@code cChar} marks {@code char[N]}, which also gets a String accessor. */
    record Array(Shape element, int length, long stride, boolean cChar) implements Shape {}

    record StructRef(String javaName) implements Shape {}

    record EnumRef(String javaName, int size, boolean signed) implements Shape {}
}
