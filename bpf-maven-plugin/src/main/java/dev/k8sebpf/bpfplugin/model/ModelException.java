package dev.k8sebpf.bpfplugin.model;

import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;

/** A type that should be generated uses a construct the generator does not support; one line for users. */
public final class ModelException extends Exception {
    public ModelException(String message) {
        super(ObjectFormatException.oneLine(message));
    }
}
