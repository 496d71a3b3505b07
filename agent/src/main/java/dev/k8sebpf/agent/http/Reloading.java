package dev.k8sebpf.agent.http;

import dev.k8sebpf.agent.http.WebConfig.Invalid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value built from files, rebuilt when one of them changes (modification time, size or inode: a
 * Kubernetes Secret volume swaps a symlink). Checked on each use, which is each TLS handshake: a
 * stat per file, far cheaper than the handshake. A change that does not load (a certificate renewed
 * before its key) keeps the previous value and logs once; the next change is tried again.
 */
final class Reloading<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Reloading.class);

    @FunctionalInterface
    interface Loader<T> {
        T load() throws Invalid;
    }

    private final String what;
    private final List<Path> files;
    private final Loader<T> loader;
    private volatile T current;
    /** The value before the last reload, for a handshake that chose it just before the swap. */
    private volatile T previous;
    private volatile List<Object> loadedStamp;
    private volatile List<Object> failedStamp = List.of();

    private Reloading(String what, List<Path> files, Loader<T> loader) {
        this.what = what;
        this.files = List.copyOf(files);
        this.loader = loader;
    }

    /** Loads now; a problem here is a start-up error. No files: loaded once, never reloaded. */
    static <T> Reloading<T> load(String what, List<Path> files, Loader<T> loader) throws Invalid {
        var reloading = new Reloading<>(what, files, loader);
        reloading.loadedStamp = reloading.stamp();
        reloading.current = loader.load();
        reloading.previous = reloading.current;
        return reloading;
    }

    T current() {
        if (!files.isEmpty()) {
            List<Object> now = stamp();
            if (!now.equals(loadedStamp) && !now.equals(failedStamp)) {
                reload(now);
            }
        }
        return current;
    }

    /** The current or the previous value that {@code test} picks, without checking the files. */
    Optional<T> find(Predicate<T> test) {
        T now = current;
        if (test.test(now)) {
            return Optional.of(now);
        }
        T before = previous;
        return test.test(before) ? Optional.of(before) : Optional.empty();
    }

    private synchronized void reload(List<Object> now) {
        if (now.equals(loadedStamp) || now.equals(failedStamp)) {
            return;
        }
        try {
            T fresh = loader.load();
            previous = current;
            current = fresh;
            loadedStamp = now;
            LOG.info("{} changed: reloaded", what);
        } catch (Invalid e) {
            failedStamp = now;
            LOG.warn("{} changed but cannot be used, still serving the previous one: {}", what, e.getMessage());
        }
    }

    private List<Object> stamp() {
        List<Object> stamp = new ArrayList<>();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamp.add(attributes.lastModifiedTime());
                stamp.add(attributes.size());
                stamp.add(attributes.fileKey());
            } catch (IOException e) {
                stamp.add(e.getClass().getSimpleName());
            }
        }
        return stamp;
    }
}
