#!/usr/bin/env python3
"""Makes TorchSharp's libLibTorchSharp.so load on hosts whose libstdc++ predates GCC 13 (Debian 12: GLIBCXX_3.4.30).

libLibTorchSharp.so asks for GLIBCXX_3.4.32 for exactly one symbol, std::ios_base_library_init(). On such hosts this
script, run by the Derby.Learning.LibTorchFix MSBuild target on the copy in a build output folder (never the NuGet
cache), does three things:
  1. removes the version from that symbol (patchelf --clear-symbol-version);
  2. adds a NEEDED entry for libderby_iosinit.so, built here with g++ from ios_base_library_init.cpp, which defines it
     (found next to the library through its RUNPATH $ORIGIN);
  3. marks the GLIBCXX_3.4.32 requirement weak (VER_FLG_WEAK) in .gnu.version_r, so the loader no longer refuses it.
It is idempotent: an already patched library, a host that has GLIBCXX_3.4.32, or a library that does not need it is
left alone.
Usage: libtorch_glibcxx_fix.py [--from SOURCE] PATH/libLibTorchSharp.so
  (with --from, SOURCE is first copied to PATH: the MSBuild target copies the file itself so that MSBuild's own copy
  step does not overwrite the patched file on every build)
"""
import ctypes
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SYMBOL = "_ZSt21ios_base_library_initv"
VERSION = b"GLIBCXX_3.4.32"
SHIM = "libderby_iosinit.so"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2
HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(f"error DERBYTORCH: {message}", file=sys.stderr)
    sys.exit(1)


def host_libstdcxx():
    """The libstdc++.so.6 this host's loader resolves (read back from /proc/self/maps after loading it)."""
    ctypes.CDLL("libstdc++.so.6")
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            if "libstdc++.so" in line:
                return line.split()[-1]
    fail("libstdc++.so.6 was loaded but not found in /proc/self/maps")
    return None


def sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail("not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    return [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]


def cstring(data, offset):
    return bytes(data[offset:data.index(b"\0", offset)])


def version_needs(data):
    """Yields (offset of vna_flags, flags, name) for every Vernaux entry of .gnu.version_r."""
    secs = sections(data)
    for (_, sh_type, _, _, offset, _, link, info, _, _) in secs:
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = secs[link][4]
        need = offset
        for _ in range(info):
            _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
            aux = need + vn_aux
            for _ in range(vn_cnt):
                _, flags, _, name, vna_next = struct.unpack_from("<IHHII", data, aux)
                yield aux + 4, flags, cstring(data, strtab + name)
                aux += vna_next
            need += vn_next


def mark_weak(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    found = False
    for flags_at, flags, name in version_needs(data):
        if name == VERSION:
            struct.pack_into("<H", data, flags_at, flags | VER_FLG_WEAK)
            found = True
    if not found:
        fail(f"{path}: no {VERSION.decode()} entry in .gnu.version_r")
    with open(path, "wb") as f:
        f.write(data)


def run(*args):
    try:
        subprocess.run(args, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"'{args[0]}' is not installed; it is needed to patch libLibTorchSharp.so for this host's libstdc++ "
             "(Debian: apt-get install patchelf g++, or run scripts/prerequisites.sh)")
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(args)} failed: {e.stderr.strip()}")


def needed(path):
    out = subprocess.run(["patchelf", "--print-needed", path], check=True, capture_output=True, text=True).stdout
    return out.split()


def copy_atomically(source, target):
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, work = tempfile.mkstemp(prefix=".libLibTorchSharp.", suffix=".so", dir=folder)
    os.close(fd)
    shutil.copyfile(source, work)
    shutil.copymode(source, work)
    os.replace(work, target)


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--from":
        copy_atomically(args[1], os.path.abspath(args[2]))
        args = args[2:]
    if len(args) != 1:
        fail("usage: libtorch_glibcxx_fix.py [--from SOURCE] PATH/libLibTorchSharp.so")
    target = os.path.abspath(args[0])
    libstdcxx = host_libstdcxx()
    with open(libstdcxx, "rb") as f:
        if VERSION in f.read():
            return  # GCC 13+ libstdc++: nothing to do.
    with open(target, "rb") as f:
        data = f.read()
    requirements = {name for _, _, name in version_needs(bytearray(data))}
    if VERSION not in requirements:
        return  # This libLibTorchSharp.so never asked for it.
    folder = os.path.dirname(target)
    shim = os.path.join(folder, SHIM)
    source = os.path.join(HERE, "ios_base_library_init.cpp")
    if not os.path.exists(shim) or os.path.getmtime(shim) < os.path.getmtime(source):
        run("g++", "-shared", "-fPIC", "-O2", "-o", shim, source)
    if shutil.which("patchelf") is None:
        run("patchelf")  # Fails with the message that names the missing package.
    weak = [flags & VER_FLG_WEAK for _, flags, name in version_needs(bytearray(data)) if name == VERSION]
    if SHIM in needed(target) and all(weak):
        return  # Already patched.
    # Patch a copy, then move it over the original, so an interrupted build never leaves a half-patched library.
    fd, work = tempfile.mkstemp(prefix=".libLibTorchSharp.", suffix=".so", dir=folder)
    os.close(fd)
    try:
        shutil.copy2(target, work)
        run("patchelf", "--clear-symbol-version", SYMBOL, work)
        if SHIM not in needed(work):
            run("patchelf", "--add-needed", SHIM, work)
        mark_weak(work)
        os.replace(work, target)
    finally:
        if os.path.exists(work):
            os.remove(work)
    print(f"Patched {target} for {libstdcxx} (no {VERSION.decode()}): weak version, {SHIM} added.")


if __name__ == "__main__":
    main()
