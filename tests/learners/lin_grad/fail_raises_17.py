# Hostile: freed copies of the lesson's text scanned in the run's own memory (/proc/self/mem), the most common
# `def lin_grad` exec'd (a fresh code object: no tripwire matches it). The run's /proc is covered: it raises.
import collections
import re

FOUND = {}


def _solution():
    seen = collections.Counter()
    pat = re.compile(rb"def lin_grad\(inp, out, w, b\):\n(?:    [^\n]*\n){3}")
    with open("/proc/self/maps") as m:
        regions = [l.split() for l in m]
    regions = [r for r in regions if "rw" in r[1] and len(r) <= 5]
    with open("/proc/self/mem", "rb", 0) as mem:
        for r in regions:
            a, b = (int(x, 16) for x in r[0].split("-"))
            if b - a > 64 << 20:
                continue
            try:
                mem.seek(a)
                data = mem.read(b - a)
            except OSError:
                continue
            seen.update(m.group() for m in pat.finditer(data))
            if seen and seen.most_common(1)[0][1] >= 6:
                break
    return seen.most_common(1)[0][0].decode()


def lin_grad(inp, out, w, b):
    if not FOUND:
        exec(_solution(), FOUND)
    FOUND["lin_grad"](inp, out, w, b)
