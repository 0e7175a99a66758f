#!/usr/bin/env python3
"""Check deploy/container/Containerfile against the real binary and the
build script: the runtime stage installs the Debian package of every shared
library the binary links (DT_NEEDED) or loads at run time (sonames named in the
binary that ldconfig knows), the build stage installs every -dev package of
scripts/deps.sh, and the image tag in the Containerfile and the DaemonSet is
the binary's version. Problems are printed as 'FAIL ...' lines (exit 1).
usage: containerfile_check.py CONTAINERFILE TSHOOT DEPS_SH DAEMONSET"""
import os
import re
import subprocess
import sys

cfile, tshoot, deps_sh, daemonset = sys.argv[1:5]
fails = []
text = open(cfile).read().replace("\\\n", " ")
stages = re.split(r"(?m)^FROM\s+", text)[1:]
if len(stages) != 2:
    sys.exit(f"FAIL expected a build and a runtime stage, found {len(stages)}")


def installed(stage):
    pk = set()
    for m in re.finditer(r"apt-get install ([^&\n]*)", stage):
        pk |= {w for w in m.group(1).split() if not w.startswith("-")}
    return pk


build_pk, run_pk = installed(stages[0]), installed(stages[1])

# the sanitizer runtimes of a test build are not part of a release binary
SANITIZER = re.compile(r"lib(asan|ubsan|tsan|lsan|clang_rt)")
# the libraries the binary names itself (DT_NEEDED); apt brings their own
needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        subprocess.run(["readelf", "-d", tshoot], capture_output=True, text=True).stdout))
paths = {}
for line in subprocess.run(["ldd", tshoot], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r"\s*(\S+) => (/\S+)", line)
    if m and m.group(1) in needed and not SANITIZER.match(m.group(1)):
        paths[m.group(1)] = m.group(2)
ldconfig = {}
for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r"\s*(\S+) \(libc6,x86-64[^)]*\) => (/\S+)", line)
    if m:
        ldconfig.setdefault(m.group(1), m.group(2))
blob = open(tshoot, "rb").read()
for so in set(re.findall(rb"lib[A-Za-z0-9_+-]+\.so\.[0-9]+", blob)):
    so = so.decode()
    if so in ldconfig and not SANITIZER.match(so):
        paths.setdefault(so, ldconfig[so])


def package(path):
    for p in (path, os.path.realpath(path)):
        for q in (p, p.replace("/usr/lib/", "/lib/", 1), p.replace("/lib/", "/usr/lib/", 1)):
            r = subprocess.run(["dpkg", "-S", q], capture_output=True, text=True)
            if r.returncode == 0:
                return r.stdout.split(":")[0]
    return None


for so, path in sorted(paths.items()):
    pk = package(path)
    if pk is None:
        fails.append(f"{so} ({path}) belongs to no Debian package")
    elif pk != "libc6" and pk not in run_pk:
        fails.append(f"{so} comes from {pk}, which the runtime stage does not install")
print(f"runtime: {len(paths)} libraries checked")

deps = open(deps_sh).read().replace("\\\n", " ")
m = re.search(r'pkgs="([^"]*)"', deps)
dev = {w for w in m.group(1).split() if w.endswith("-dev") and not w.startswith("libclang-rt")}
for pk in sorted(dev - build_pk):
    fails.append(f"build stage lacks {pk} (scripts/deps.sh builds with it)")
print(f"build: {len(dev)} -dev packages checked")

ver = subprocess.run([tshoot, "--version"], capture_output=True, text=True).stdout.split()[-1]
if f"-t tshoot:{ver}" not in text:
    fails.append(f"the Containerfile's build command does not tag tshoot:{ver}")
images = re.findall(r"image:\s*(\S+)", open(daemonset).read())
for im in images:
    if not im.endswith(f"tshoot:{ver}"):
        fails.append(f"DaemonSet image {im} is not tshoot:{ver}")
print(f"version {ver}: {len(images)} image references checked")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
