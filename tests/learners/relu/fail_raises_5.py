# Hostile: torch's ReLU derivative as TorchScript keeps it, Python source inside libtorch_cpu.so, read from this
# process's memory (the file itself is covered): from the library's mapped read-only data, found through its link
# map; then exec'd. The worker blanks that text and the heap copy of it (tests/test_sandbox_formulas.py).
import ctypes, struct, textwrap


class _LinkMap(ctypes.Structure):
    _fields_ = [("l_addr", ctypes.c_void_p), ("l_name", ctypes.c_char_p), ("l_ld", ctypes.c_void_p)]


def _find(base, size, needle):
    for off in range(0, size, 1 << 24):
        chunk = ctypes.string_at(base + off, min((1 << 24) + 4096, size - off))
        k = chunk.find(needle)
        if k >= 0:
            return ctypes.string_at(base + off + k - 4096, 60000).decode("latin-1")


def _texts():
    lm = ctypes.POINTER(_LinkMap)()
    ctypes.CDLL(None).dlinfo(ctypes.c_void_p(ctypes.CDLL("libtorch_cpu.so")._handle), 2, ctypes.byref(lm))
    base = lm.contents.l_addr
    head = ctypes.string_at(base, 64)
    phoff, = struct.unpack_from("<Q", head, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    needle = b"def relu(" + b"self)"
    for i in range(phnum):
        kind, flags, _, vaddr, _, filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", ctypes.string_at(base + phoff + i * phentsize, phentsize))
        if kind == 1 and flags & 4 and (text := _find(base + vaddr, filesz, needle)):
            yield text


def _formula():
    for text in _texts():
        i = text.find("        def relu(self)")
        if i >= 0:
            ns = {"torch": torch}
            exec(textwrap.dedent(text[i:text.index("\n        def ", i + 10)]), ns)
            return ns["relu"]
    raise RuntimeError("no formula text in this process's memory")


class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)

    def bwd(self, out, inp):
        _, backward = _formula()(inp)
        inp.g = backward(out.g)
