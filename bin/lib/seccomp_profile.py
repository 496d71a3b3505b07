"""Writes deploy/seccomp/agent.json: a runtime default seccomp profile resolved for the agent's container,
plus bpf and perf_event_open (which the DaemonSet's CAP_BPF / CAP_PERFMON are for).

Input: containers/common's seccomp.json (Debian 12's golang-github-containers-common 0.50.1 installs it at
/usr/share/containers/seccomp.json), a Docker-format profile whose rules carry includes/excludes
conditions on capabilities and architectures. Those conditions are resolved here for the capabilities
the manifest adds and for amd64/arm64, because containerd reads a Localhost profile as a plain OCI
LinuxSeccomp (contrib/seccomp/seccomp.go WithProfile: json.Unmarshal into specs.LinuxSeccomp) and would
ignore them, applying every rule. The output is therefore both a valid OCI profile (containerd) and a
valid unconditional Docker-format profile (CRI-O, podman). Usage:
  python3 bin/lib/seccomp_profile.py /usr/share/containers/seccomp.json deploy/daemonset.yaml > deploy/seccomp/agent.json
"""
import json
import sys

import yaml

ARCHES = {"amd64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
          "arm64": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]}
# Docker-format arch names a rule may be conditioned on, for the image's two platforms.
RULE_ARCHES = {"amd64", "x32", "x86", "arm", "arm64"}
ADDED = {"bpf": "CAP_BPF", "perf_event_open": "CAP_PERFMON"}


def main():
    source, manifest = sys.argv[1], sys.argv[2]
    with open(source) as f:
        profile = json.load(f)
    with open(manifest) as f:
        ds = next(d for d in yaml.safe_load_all(f) if d and d.get("kind") == "DaemonSet")
    sc = ds["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]
    if sc.get("drop") != ["ALL"]:
        sys.exit("the DaemonSet must drop ALL capabilities for this resolution to hold")
    caps = {"CAP_" + c for c in sc["add"]}
    missing = set(ADDED.values()) - caps
    if missing:
        sys.exit(f"the DaemonSet does not add {missing}")
    rules = []
    # A name listed both unconditionally and in a rule conditioned on capabilities (setns in 0.50.1's
    # allow-all list and in its "EPERM unless CAP_SYS_ADMIN" list) takes the conditional rule's action:
    # that rule is the profile's specific intent, and one action per name leaves the runtime no choice.
    conditional = {n for r in profile["syscalls"] if (r.get("includes") or {}).get("caps") or (r.get("excludes") or {}).get("caps")
                   for n in r["names"]}
    for rule in profile["syscalls"]:
        inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
        if not set(inc.get("caps", [])) <= caps or set(exc.get("caps", [])) & caps:
            continue
        if inc.get("arches") and not set(inc["arches"]) & RULE_ARCHES:
            continue
        if exc.get("arches") or inc.get("minKernel") or exc.get("minKernel"):
            sys.exit(f"rule {rule['names'][:3]}: a condition this script does not resolve")
        conditioned = inc.get("caps") or exc.get("caps")
        names = [n for n in rule["names"] if not (n in ADDED and rule["action"] != "SCMP_ACT_ALLOW")
                 and (conditioned or rule.get("args") or n not in conditional)]
        if not names:
            continue
        out = {"names": names, "action": rule["action"]}
        if rule.get("args"):
            out["args"] = rule["args"]
        if "errnoRet" in rule:
            out["errnoRet"] = rule["errnoRet"]
        rules.append(out)
    allowed = {n for r in rules if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args") for n in r["names"]}
    extra = sorted(n for n in ADDED if n not in allowed)
    if extra:
        rules.append({"names": extra, "action": "SCMP_ACT_ALLOW"})
    # Every name must end up with one action only (libseccomp refuses a second, different one).
    seen = {}
    for r in rules:
        if r.get("args"):
            continue
        for n in r["names"]:
            if seen.setdefault(n, r["action"]) != r["action"]:
                sys.exit(f"{n}: both {seen[n]} and {r['action']}")
    arches = [a for p in ("amd64", "arm64") for a in ARCHES[p]]
    result = {"defaultAction": profile["defaultAction"], "defaultErrnoRet": profile["defaultErrnoRet"],
              "architectures": arches, "syscalls": rules}
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
