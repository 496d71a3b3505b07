package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import java.net.HttpURLConnection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * List+watch of one kind in one namespace (or all), feeding a {@link WatchSink}. Not a fabric8 informer:
 * an informer caches every full object (a Pod is several KB on the heap), while only a few strings per
 * object are needed; here each listed page and each watch event is reduced to its claims and dropped.
 *
 * <p>A failed watch (dropped connection, 410 Gone, API server away) leads to a fresh paged list:
 * the list's objects are upserted first and only then are the vanished ones removed, so an IP that stays
 * in the cluster never resolves to nothing. The client is built with watchReconnectLimit 0 so fabric8
 * hands every watch failure to this loop instead of re-watching on its own. Only the server's regular
 * watch timeout (a clean end) resumes from the last resourceVersion without a relist: relisting every
 * pod of the cluster from every node every few minutes would load the API server for nothing.
 */
final class ResourceWatch<T extends HasMetadata> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceWatch.class);
    private static final long PAGE_SIZE = 500;
    /** The API server ends each watch after this long; a clean end re-watches from the last resourceVersion. */
    private static final long WATCH_SECONDS = 600;
    /**
     * A watch whose connection died without fabric8 noticing (seen when a connection is cut right after
     * the WebSocket handshake) would stay silent forever: past its server timeout plus this grace it is
     * abandoned and the kind relisted.
     */
    private static final long WATCH_GRACE_SECONDS = 60;

    private final Kind kind;
    private final String namespace;
    private final FilterWatchListDeletable<T, ? extends KubernetesResourceList<T>, ?> operation;
    private final WatchSink<T> sink;
    private final Backoff backoff;
    private final String scope;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Watch current;
    private volatile CompletableFuture<WatcherException> watchEnd = new CompletableFuture<>();
    private volatile String lastResourceVersion;
    private int listedObjects;
    private boolean failing;
    private boolean forbiddenLogged;

    ResourceWatch(Kind kind, String namespace, FilterWatchListDeletable<T, ? extends KubernetesResourceList<T>, ?> operation,
                  WatchSink<T> sink, Backoff backoff) {
        this.kind = kind;
        this.namespace = namespace;
        this.operation = operation;
        this.sink = sink;
        this.backoff = backoff;
        this.scope = namespace == null ? "in all namespaces" : "in namespace " + namespace;
        this.thread = Thread.ofVirtual().name("k8s-watch-" + kind.resource() + (namespace == null ? "" : "-" + namespace))
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    boolean synced() {
        return firstSync.isDone();
    }

    /** Completes once the first full list has been applied. */
    CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    @Override
    public void close() {
        closed = true;
        watchEnd.complete(null);
        Watch watch = current;
        if (watch != null) {
            watch.close();
        }
        thread.interrupt();
    }

    private void run() {
        while (!closed) {
            String verb = "list";
            try {
                long started = System.nanoTime();
                lastResourceVersion = relist();
                recovered(System.nanoTime() - started);
                verb = "watch";
                WatcherException end;
                do {
                    end = watchFrom(lastResourceVersion);
                } while (end == null && !closed); // clean end at the server's timeout: continue where it stopped
                if (closed) {
                    return;
                }
                KubernetesClientException cause = end.asClientException();
                if (end.isHttpGone()) {
                    LOG.debug("Watch of {} {} expired (410 Gone), relisting", kind.resource(), scope);
                    continue;
                }
                failed(verb, cause != null ? cause : new KubernetesClientException(end.getMessage(), end));
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failed(verb, e instanceof KubernetesClientException k ? k : new KubernetesClientException(e.toString(), e));
            } catch (InterruptedException e) {
                return;
            }
            if (!sleep(backoff.nextMillis())) {
                return;
            }
        }
    }

    /** Pages through the whole list; returns the resourceVersion to watch from. */
    private String relist() {
        Set<SourceKey> listed = new HashSet<>();
        String continueToken = null;
        String resourceVersion;
        do {
            KubernetesResourceList<T> page = operation.list(new ListOptionsBuilder()
                    .withLimit(PAGE_SIZE).withContinue(continueToken).build());
            for (T item : page.getItems()) {
                SourceKey key = keyOf(item);
                sink.upsert(key, item);
                listed.add(key);
            }
            continueToken = page.getMetadata().getContinue();
            resourceVersion = page.getMetadata().getResourceVersion();
        } while (continueToken != null && !continueToken.isEmpty());
        sink.retainOnly(kind, namespace, listed);
        listedObjects = listed.size();
        return resourceVersion;
    }

    /** Applies watch events until the watch ends; returns why it ended (null: cleanly or closed). */
    private WatcherException watchFrom(String resourceVersion) throws InterruptedException {
        if (closed) {
            return null;
        }
        CompletableFuture<WatcherException> end = new CompletableFuture<>();
        watchEnd = end;
        try (Watch watch = operation.watch(new ListOptionsBuilder().withResourceVersion(resourceVersion)
                .withAllowWatchBookmarks(true).withTimeoutSeconds(WATCH_SECONDS).build(), new Watcher<T>() {
                    @Override
                    public void eventReceived(Action action, T item) {
                        lastResourceVersion = item.getMetadata().getResourceVersion();
                        switch (action) {
                            case ADDED, MODIFIED -> sink.upsert(keyOf(item), item);
                            case DELETED -> sink.delete(keyOf(item));
                            case BOOKMARK, ERROR -> { } // bookmarks only advance fabric8's resourceVersion
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        end.complete(cause);
                    }

                    @Override
                    public void onClose() {
                        end.complete(null);
                    }
                })) {
            current = watch;
            if (closed) {
                return null;
            }
            return end.get(WATCH_SECONDS + WATCH_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return new WatcherException("watch silent past its " + WATCH_SECONDS + " s timeout");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: the future is only completed normally
        } finally {
            current = null;
        }
    }

    private SourceKey keyOf(T item) {
        return new SourceKey(kind, Claims.namespace(item), Claims.name(item));
    }

    private void recovered(long listNanos) {
        backoff.reset();
        if (!firstSync.isDone()) {
            LOG.info("Listed {} {}: {} objects in {} ms", kind.resource(), scope, listedObjects, listNanos / 1_000_000);
        }
        if (failing) {
            LOG.info("Kubernetes API reachable again: {} {} relisted", kind.resource(), scope);
        }
        failing = false;
        forbiddenLogged = false;
        firstSync.complete(null);
    }

    /** One clear line per outage (the retries that follow log at debug), one per RBAC refusal. */
    private void failed(String verb, KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
            if (!forbiddenLogged) {
                LOG.error("Kubernetes RBAC forbids verb '{}' on resource '{}' {} for this agent's service account: "
                        + "grant get/list/watch on it (see deploy/rbac.yaml); retrying with backoff",
                        verb, kind.qualifiedResource(), scope);
                forbiddenLogged = true;
            }
        } else if (!failing) {
            LOG.warn("Kubernetes API {} of {} {} failed ({}); retrying with backoff, {}", verb, kind.resource(), scope,
                    rootMessage(e), synced() ? "keeping the last known mappings" : "destinations stay unmapped meanwhile");
        } else {
            LOG.debug("Kubernetes API {} of {} {} failed again: {}", verb, kind.resource(), scope, rootMessage(e));
        }
        failing = true;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : e.getMessage() + ": " + message;
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
