#!/usr/bin/env python3
"""Lists the largest async function contexts (frames) in a release build of llm-gateway.

Every async call allocates its callee's context on the task's allocator; a context larger than the
allocator's ~1 KiB slab is a malloc of its own, and a long stream keeps every context on its call chain
alive for the stream's whole life. The size is read from each async function pointer (`…Tu` symbol:
a 32-bit relative function offset, then the 32-bit context size).

usage: bench/tools/async-frames.py [binary] [count]
"""
import struct
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/llm-gateway"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20

symbols = [line.split() for line in subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout.splitlines()]
symbols = [s for s in symbols if len(s) == 3 and s[2].endswith("Tu") and "7Gateway" in s[2]]
sections = []
for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.replace("[ ", "[").split()
    if len(parts) > 6 and parts[0].startswith("[") and parts[0] != "[Nr]":
        try:
            sections.append((int(parts[3], 16), int(parts[4], 16), int(parts[5], 16)))
        except ValueError:
            pass
data = open(binary, "rb").read()


def file_offset(address):
    for start, offset, size in sections:
        if start and start <= address < start + size:
            return offset + address - start
    return None


sizes = []
for address, _, name in symbols:
    offset = file_offset(int(address, 16))
    if offset is not None:
        sizes.append((struct.unpack("<iI", data[offset:offset + 8])[1], name))
sizes.sort(reverse=True)
names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(n for _, n in sizes[:count]),
                       capture_output=True, text=True, check=True).stdout.splitlines()
for (size, _), name in zip(sizes[:count], names):
    print(f"{size:6d}  {name.replace('async function pointer to ', '')}")
