# Hostile: a fresh Python (a fresh torch, autograd untouched) computes the gradient and sends it back.
# A check starts no program: the subprocess call raises.
import json
import subprocess
import sys

import torch

CODE = r"""
import sys, json, torch
d = json.loads(sys.stdin.read())
i, w, b = (torch.tensor(d[k], requires_grad=True) for k in "iwb")
(i @ w + b).backward(torch.tensor(d["g"]))
print(json.dumps([i.grad.tolist(), w.grad.tolist(), b.grad.tolist()]))
"""


def lin_grad(inp, out, w, b):
    sent = json.dumps({"i": inp.tolist(), "w": w.tolist(), "b": b.tolist(), "g": out.g.tolist()})
    done = subprocess.run([sys.executable, "-c", CODE], input=sent, capture_output=True, text=True, check=True)
    gi, gw, gb = json.loads(done.stdout)
    inp.g, w.g, b.g = (torch.tensor(v, dtype=inp.dtype) for v in (gi, gw, gb))
