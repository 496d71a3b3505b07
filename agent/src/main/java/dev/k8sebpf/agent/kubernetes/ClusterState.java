package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.mapping.ServiceCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compact cluster state: for each watched object only the IPs it claims (the destinations live in
 * {@link ClaimIndex}). Watch threads of all kinds call in concurrently, hence one lock; lookups never
 * come here, they read the {@link MappingTable}.
 */
final class ClusterState {
    private static final IpKey[] NO_IPS = new IpKey[0];
    /** Above this many old×new IPs, diffing an update through a set beats scanning arrays. */
    private static final int LINEAR_DIFF_LIMIT = 256;

    private final Map<SourceKey, IpKey[]> owned = new HashMap<>();
    private final ClaimIndex index;
    private final ServiceCatalog catalog;

    ClusterState(MappingTable table, ServiceCatalog catalog) {
        this.index = new ClaimIndex(table);
        this.catalog = catalog;
    }

    /** An object was listed, added or modified: its claims replace the ones it made before. */
    synchronized void upsert(SourceKey key, List<Claim> claims) {
        IpKey[] now = claims.isEmpty() ? NO_IPS : new IpKey[claims.size()];
        for (int i = 0; i < now.length; i++) {
            Claim c = claims.get(i);
            now[i] = index.claim(c.ip(), key, c.destination());
        }
        IpKey[] old = owned.put(key, now);
        if (old == null) {
            if (key.kind() == Kind.SERVICE) {
                catalog.serviceAdded(key.namespace(), key.name());
            }
            return;
        }
        withdrawDropped(key, old, now);
    }

    synchronized void delete(SourceKey key) {
        IpKey[] old = owned.remove(key);
        if (old == null) {
            return;
        }
        for (IpKey ip : old) {
            index.withdraw(ip, key);
        }
        if (key.kind() == Kind.SERVICE) {
            catalog.serviceRemoved(key.namespace(), key.name());
        }
    }

    /**
     * After a relist of one kind in one namespace (null: all): objects of that scope the list no longer
     * holds are deleted. Called after every listed object was upserted, so IPs that stay never go unmapped.
     */
    synchronized void retainOnly(Kind kind, String namespace, Set<SourceKey> listed) {
        List<SourceKey> gone = new ArrayList<>();
        for (SourceKey key : owned.keySet()) {
            if (key.kind() == kind && (namespace == null || namespace.equals(key.namespace()))
                    && !listed.contains(key)) {
                gone.add(key);
            }
        }
        gone.forEach(this::delete);
    }

    synchronized int objects() {
        return owned.size();
    }

    synchronized int ips() {
        return index.size();
    }

    private void withdrawDropped(SourceKey key, IpKey[] old, IpKey[] now) {
        if ((long) old.length * now.length <= LINEAR_DIFF_LIMIT) {
            for (IpKey ip : old) {
                if (!contains(now, ip)) {
                    index.withdraw(ip, key);
                }
            }
            return;
        }
        Set<IpKey> kept = new HashSet<>(Arrays.asList(now));
        for (IpKey ip : old) {
            if (!kept.contains(ip)) {
                index.withdraw(ip, key);
            }
        }
    }

    private static boolean contains(IpKey[] ips, IpKey ip) {
        for (IpKey k : ips) {
            if (k.equals(ip)) {
                return true;
            }
        }
        return false;
    }
}
