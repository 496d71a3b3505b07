package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import java.util.Set;

/** Where a {@link ResourceWatch} puts the objects it lists and watches. */
interface WatchSink<T> {
    void upsert(SourceKey key, T item);

    void delete(SourceKey key);

    /** After a full list: everything of this kind and namespace (null: all) not listed is gone. */
    void retainOnly(Kind kind, String namespace, Set<SourceKey> listed);
}
