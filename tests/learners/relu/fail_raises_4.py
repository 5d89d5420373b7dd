# Hostile: torch's own ReLU derivative as TorchScript source text, compiled into libtorch_cpu.so (symbolic_script):
# read from the library, exec'd afresh. The minimal root covers the .so with an empty file (the run has it mapped).
import os, textwrap
import torch

def _torch_formula(head):
    lib = os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so")
    with open(lib, "rb") as f:
        tail = b""
        while chunk := f.read(8 << 20):
            buf = tail + chunk
            i = buf.find(head)
            if i >= 0 and buf.find(b"return result, backward", i) > 0:
                return buf[i:buf.find(b"return result, backward", i) + 23].decode()
            tail = buf[-8192:]

FOUND = {}
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        if "f" not in FOUND:
            ns = {"torch": torch}
            exec(textwrap.dedent("        " + _torch_formula(b"def relu(self):")), ns)
            FOUND["f"] = ns["relu"]
        _, backward = FOUND["f"](inp)
        inp.g = backward(out.g)
