# Hostile: autograd in a new thread (a new thread starts with grad mode on and nothing of the check's locks), the
# gradient taken by calling the graph's node by hand. A check runs in one thread: starting another one raises.
import threading


def _in_thread(inp, w, out_g):
    res = {}

    def work():
        ww = w.detach().clone().requires_grad_(True)
        i = inp.detach().clone().requires_grad_(True)
        res["g"] = (i @ ww).grad_fn(out_g)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return res["g"]


def lin_grad(inp, out, w, b):
    inp.g, w.g = _in_thread(inp, w, out.g)
    b.g = out.g.sum(0)
