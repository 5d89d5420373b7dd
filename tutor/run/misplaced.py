"""Where a gradient may have been put by mistake, kept beside the gradients to name the mistake: on a copy of a
tensor the layer (or model) holds, or returned instead of set."""
from __future__ import annotations

from typing import Any

import torch

from .result import CaseRun, to_array


def copies(layer: Any, named: dict[str, Any], run: CaseRun, piece: str = "") -> None:
    """Gradients set on tensors the layer (or model) holds that are not the ones it was given (`self.w =
    w.clone()`, `nn.Parameter(w)`), also in its layers (`self.layers[0].w`); `piece`: "Lin: " for a model's piece
    run alone."""
    try:
        _copies(layer, named, run, piece)
    except Exception:  # noqa: BLE001 - learner objects that raise when looked at: this is only a help
        pass


def _copies(layer: Any, named: dict[str, Any], run: CaseRun, piece: str) -> None:
    given = [v for v in named.values() if isinstance(v, torch.Tensor)]
    todo, seen, found = [("self", layer, 0)], set(), 0
    while todo and found < 20 and len(seen) < 200:
        path, obj, depth = todo.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        items = list(obj.items()) if isinstance(obj, dict) else list(enumerate(obj)) \
            if isinstance(obj, (list, tuple)) else list(getattr(obj, "__dict__", {}).items())
        for key, value in items[:50]:
            at = f"{path}[{key!r}]" if isinstance(obj, (dict, list, tuple)) else f"{path}.{key}"
            if path.endswith(("._modules", "._parameters", "._buffers")):  # an nn.Module's: as the learner reads it
                at = path.rsplit(".", 1)[0] + (f"[{key}]" if str(key).isdigit() else f".{key}")
            if isinstance(value, torch.Tensor):
                grad = vars(value).get("g")
                if isinstance(grad, torch.Tensor) and not any(value is g for g in given):
                    arr = to_array(grad)
                    if not isinstance(arr, str):
                        run.extras[f"{piece}{at}.g"] = arr
                        found += 1
            elif depth < 5 and (isinstance(value, (dict, list, tuple)) or hasattr(value, "__dict__")) \
                    and not isinstance(value, type) and not callable(getattr(value, "__code__", None)):
                todo.append((at, value, depth + 1))


def returned_values(returned: Any, key: str, run: CaseRun) -> None:
    """What the code returned (a tensor, a tuple or list of them, a dict of them by name), kept to name a gradient
    returned instead of set."""
    if isinstance(returned, dict):
        items = [(f"{key}[{k!r}]", v) for k, v in list(returned.items())[:8]]
    elif isinstance(returned, (tuple, list)):
        items = [(f"{key}[{i}]", v) for i, v in enumerate(returned[:8])]
    else:
        items = [(key, returned)]
    for name, value in items:
        arr = to_array(value)
        if value is not None and not isinstance(arr, str):
            run.extras[name] = arr
