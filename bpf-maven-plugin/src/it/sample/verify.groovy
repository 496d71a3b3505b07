def base = basedir
['artifacts/x86/sample.bpf.o', 'artifacts/arm64/sample.bpf.o',
 'generated-sources/dev/k8sebpf/it/bpf/SampleEvent.java',
 'generated-sources/dev/k8sebpf/it/bpf/SampleKey.java',
 'generated-sources/dev/k8sebpf/it/bpf/SampleSkeleton.java',
 'target/classes/dev/k8sebpf/it/bpf/SampleSkeleton$Rodata.class'].each {
    assert new File(base, it).isFile() : "missing $it"
}
def skeleton = new File(base, 'generated-sources/dev/k8sebpf/it/bpf/SampleSkeleton.java').text
assert skeleton.contains('ON_CONNECT("on_connect", "tracepoint/syscalls/sys_enter_connect")')
assert skeleton.contains('SEEN("seen", 1, 8L, 4L, 16L)')
assert skeleton.contains('public Rodata targetPid(long value)')
def log = new File(base, 'build.log').text
assert log.contains('bpf: 2 object(s) compiled')
assert log.contains('bpf: committed objects and generated sources are up to date')
return true
