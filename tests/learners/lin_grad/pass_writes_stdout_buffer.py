# Output written as bytes (sys.stdout.buffer), as some logging helpers do, beside print: both are kept, under one cap.
import sys


def lin_grad(inp, out, w, b):
    sys.stdout.buffer.write(b"shapes: " + str(tuple(inp.shape)).encode() + b"\n")
    print("encoding", sys.stdout.encoding)
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
