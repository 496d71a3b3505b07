# Sourced by bin/image-check and bin/node-sim: a throwaway registry on 127.0.0.1, a stand-in base image
# made from local files (deploy/IMAGES.md: what a public JRE base holds, a JRE and glibc; no libbpf), and
# the Jib build against it. The caller defines say, fail
# and $work (a private directory it removes), and kills $registry_pid on exit.

# The agent's own lines on a start-up failure (stdin: its output): what is neither a log line nor the JVM's
# JAVA_TOOL_OPTIONS notice.
startup_lines() { grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]* \[[A-Z]+\] |^Picked up JAVA_TOOL_OPTIONS' || true; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts Debian's docker-registry on a free loopback port; sets $registry (host:port) and $registry_pid.
registry_start() {
  local port
  port=$(free_port)
  registry="127.0.0.1:$port"
  cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/registry}
  delete: {enabled: true}
http: {addr: $registry}
YML
  docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.2; done
  curl -sf "http://$registry/v2/" >/dev/null || fail "registry did not start: $(cat "$work/registry.log")"
  say "registry on $registry"
}

# Copies a shared library (as ldd names it) into a merged-/usr rootfs at its real location.
copy_lib() {
  local rootfs=$1 lib=$2 real
  real=$(readlink -f "$lib")
  install -D -m 0755 "$real" "$rootfs/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
}
amd64_rootfs() {
  local rootfs=$work/rootfs-amd64 jre
  mkdir -p "$rootfs"/{etc,tmp,proc,sys,dev,usr/lib/x86_64-linux-gnu,usr/lib64,opt/java}
  ln -s usr/lib "$rootfs/lib"; ln -s usr/lib64 "$rootfs/lib64"
  jre="$rootfs/opt/java/openjdk"
  "$JAVA_HOME/bin/jlink" --output "$jre" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
    --add-modules java.se,jdk.httpserver,jdk.unsupported,jdk.naming.dns,jdk.crypto.cryptoki,jdk.zipfs,jdk.management,jdk.jfr
  local libs
  # What the JRE links, as on a JRE base image: no libbpf (the agent carries its own, native/).
  libs=$( { ldd "$jre/bin/java"; find "$jre/lib" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /openjdk/ {print $3}' | sort -u)
  for lib in $libs; do copy_lib "$rootfs" "$lib"; done
  install -m 0755 "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$rootfs/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$rootfs/usr/lib64/ld-linux-x86-64.so.2"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
}
arm64_rootfs() {
  local rootfs=$work/rootfs-arm64 apt=$work/apt-arm64
  mkdir -p "$rootfs"/{etc,tmp,proc,sys,dev,opt/java} "$apt"/{lists/partial,cache/archives/partial,debs}
  # A private apt state for Debian trixie arm64 (the first Debian release with OpenJDK 25), so the
  # machine's sources and dpkg architectures stay untouched.
  echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    > "$apt/sources.list"
  local opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::Etc::sourcelist=$apt/sources.list"
              -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
              -o Dir::State::status=/dev/null -o Acquire::Languages=none)
  apt-get "${opts[@]}" -qq update >/dev/null 2>&1 || fail "apt-get update of Debian trixie arm64 (the arm64 stand-in base)"
  # A JRE 25 and the libraries it links, as a JRE base holds; no libbpf.
  (cd "$apt/debs" && apt-get "${opts[@]}" -qq download libc6 libgcc-s1 libstdc++6 zlib1g openjdk-25-jre-headless 2>/dev/null) \
    || fail "apt-get download of the arm64 stand-in base's packages"
  for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
  # merged /usr (the arm64 java asks for /lib/ld-linux-aarch64.so.1), and the JRE where Temurin's images have it
  ln -s usr/lib "$rootfs/lib"; ln -s usr/bin "$rootfs/bin"
  ln -s ../../usr/lib/jvm/java-25-openjdk-arm64 "$rootfs/opt/java/openjdk"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
}
# Writes one single-layer image for $arch from $rootfs into the OCI layout $layout; prints its descriptor.
oci_image() {
  local rootfs=$1 arch=$2 layout=$3 libdir=$4
  local blobs=$layout/blobs/sha256 tar=$work/layer-$arch.tar
  mkdir -p "$blobs"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$tar" .
  local diff_id layer layer_size
  diff_id=$(sha256sum "$tar" | cut -d' ' -f1)
  gzip -n -c "$tar" > "$work/layer.gz"; rm "$tar"
  layer=$(sha256sum "$work/layer.gz" | cut -d' ' -f1); layer_size=$(stat -c %s "$work/layer.gz")
  mv "$work/layer.gz" "$blobs/$layer"
  jq -cn --arg arch "$arch" --arg diff "sha256:$diff_id" --arg libdir "$libdir" '{
      architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
      config: {Env: ["PATH=/opt/java/openjdk/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java/openjdk",
                     ("LD_LIBRARY_PATH=" + $libdir)]},
      rootfs: {type: "layers", diff_ids: [$diff]},
      history: [{created: "1970-01-01T00:00:00Z", created_by: "bin/lib/image.sh stand-in base (see deploy/IMAGES.md)"}]}' > "$work/config.json"
  local config config_size manifest manifest_size
  config=$(sha256sum "$work/config.json" | cut -d' ' -f1); config_size=$(stat -c %s "$work/config.json")
  mv "$work/config.json" "$blobs/$config"
  jq -cn --arg c "sha256:$config" --argjson cs "$config_size" --arg l "sha256:$layer" --argjson ls "$layer_size" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' > "$work/manifest.json"
  manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); manifest_size=$(stat -c %s "$work/manifest.json")
  mv "$work/manifest.json" "$blobs/$manifest"
  jq -cn --arg m "sha256:$manifest" --argjson ms "$manifest_size" --arg arch "$arch" \
    '{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms, platform: {architecture: $arch, os: "linux"}}'
}

# Pushes a stand-in base index for the given arches (amd64 and/or arm64) to $registry; sets $base.
push_base() {
  local layout=$work/base-layout descriptors=() arch
  for arch in "$@"; do
    case $arch in
      amd64) amd64_rootfs; descriptors+=("$(oci_image "$work/rootfs-amd64" amd64 "$layout" /usr/lib/x86_64-linux-gnu)") ;;
      arm64) arm64_rootfs; descriptors+=("$(oci_image "$work/rootfs-arm64" arm64 "$layout" /usr/lib/aarch64-linux-gnu)") ;;
      *) fail "push_base: unknown arch $arch" ;;
    esac
  done
  echo '{"imageLayoutVersion": "1.0.0"}' > "$layout/oci-layout"
  # index.json names one image index (the multi-arch base), which lists the platform manifests.
  printf '%s\n' "${descriptors[@]}" | jq -cs '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}' \
    > "$work/index.json"
  local inner
  inner=$(sha256sum "$work/index.json" | cut -d' ' -f1)
  jq -n --arg d "sha256:$inner" --argjson s "$(stat -c %s "$work/index.json")" '{schemaVersion: 2,
    manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
                 annotations: {"org.opencontainers.image.ref.name": "base"}}]}' > "$layout/index.json"
  mv "$work/index.json" "$layout/blobs/sha256/$inner"
  base="$registry/stand-in/jre25:base"
  skopeo copy -q --all --dest-tls-verify=false "oci:$layout:base" "docker://$base"
  say "stand-in base pushed: $base ($*; $(du -sh "$layout" | cut -f1) compressed)"
}

# Builds and pushes the agent with Jib against $base; sets $image (repository) and $version.
# Optional argument: Jib platforms (e.g. linux/amd64), default the pom's (amd64 and arm64).
jib_build() {
  local platforms=${1:-}
  version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
  image="$registry/k8s-ebpf-l4l7-metrics/agent"
  ./mvnw -B -q -pl agent -am -Pimage -DskipTests package \
    -Dimage.base="$base" -Dimage.repository="$image" -Dimage.tag="$version" -Dimage.insecure=true \
    ${platforms:+-Djib.from.platforms="$platforms"} \
    > "$work/jib.log" 2>&1 || { tail -40 "$work/jib.log" >&2; fail "./mvnw -Pimage package"; }
  say "Jib pushed $image:$version${platforms:+ ($platforms)}"
}
