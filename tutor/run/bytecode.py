"""The global names a code object loads, read straight from its bytecode."""
from __future__ import annotations

import dis
import sys
import types

_LOAD_GLOBAL, _LOAD_NAME, _EXTENDED_ARG = dis.opmap["LOAD_GLOBAL"], dis.opmap["LOAD_NAME"], dis.EXTENDED_ARG
_STORE_GLOBAL = dis.opmap["STORE_GLOBAL"]
_SHIFT = 1 if sys.version_info >= (3, 11) else 0  # 3.11+: LOAD_GLOBAL's low bit says "push a NULL too"


def _pairs(code: types.CodeType):
    """(opcode, argument) of each instruction of `code` itself, EXTENDED_ARG folded in. `co_code` holds the
    unspecialised bytecode with its inline caches zeroed, so a plain scan of its pairs reads it."""
    raw, ext = code.co_code, 0
    for i in range(0, len(raw), 2):
        op, arg = raw[i], raw[i + 1] | ext
        ext = arg << 8 if op == _EXTENDED_ARG else 0
        yield op, arg


def global_loads(code: types.CodeType) -> list[str]:
    """Names `code` itself (not the code objects nested in it) loads with LOAD_GLOBAL or LOAD_NAME, in order: what
    `dis.get_instructions` lists for those two, without building an object per instruction (that took 4 ms of a
    model check)."""
    names = code.co_names
    return [names[arg >> _SHIFT] if op == _LOAD_GLOBAL else names[arg] for op, arg in _pairs(code)
            if op == _LOAD_GLOBAL or op == _LOAD_NAME]


def global_stores(code: types.CodeType) -> set[str]:
    """Names `code` itself assigns as globals (`global l1` then `l1 = ...`), read the same way."""
    return {code.co_names[arg] for op, arg in _pairs(code) if op == _STORE_GLOBAL}
