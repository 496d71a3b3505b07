package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.mapping.ServiceCatalog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Test double: the set of Services currently announced, as "namespace/service". */
final class RecordingCatalog implements ServiceCatalog {
    final Set<String> services = ConcurrentHashMap.newKeySet();

    @Override
    public void serviceAdded(String namespace, String service) {
        services.add(namespace + "/" + service);
    }

    @Override
    public void serviceRemoved(String namespace, String service) {
        services.remove(namespace + "/" + service);
    }
}
