def log = new File(basedir, 'build.log').text
assert log.contains('clang failed on bpf/bad.bpf.c for x86:')
assert log.contains("bpf/bad.bpf.c:3:9: error: use of undeclared identifier 'missing_symbol'")
assert !log.contains('at dev.k8sebpf.bpfplugin') : 'stack trace in the build output'
return true
