# Hostile: torch's original grad-mode switch dug out with gc (gc.unfreeze, then gc.get_objects), autograd's engine
# found through object.__subclasses__(). In a check, Python holds no original any more and no operator records a
# graph: whichever piece it finds, there is nothing to differentiate, and it raises.
import gc

import torch

FOUND = {}


def _originals():
    if not FOUND:
        gc.unfreeze()
        FOUND["switch"] = [o for o in gc.get_objects() if type(o).__name__ == "builtin_function_or_method"
                           and getattr(o, "__name__", "") == "_set_grad_enabled"]
        FOUND["engine"] = [c for c in object.__subclasses__() if c.__name__ == "_EngineBase"]
    return FOUND["switch"], FOUND["engine"]


def lin_grad(inp, out, w, b):
    switch, engine = _originals()
    if not switch or not engine:
        raise RuntimeError("autograd's originals are out of reach")
    switch[0](True)
    i = inp.detach().clone().requires_grad_(True)
    ww = w.detach().clone().requires_grad_(True)
    bb = b.detach().clone().requires_grad_(True)
    y = i @ ww + bb
    inp.g, w.g, b.g = engine[0]().run_backward((y,), (out.g,), False, False, (i, ww, bb), True, False)
    switch[0](False)
