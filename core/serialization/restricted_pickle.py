"""A pickle reader that builds plain containers and calls only allow-listed globals.

`pickle.load` calls whatever the file names (``os.system`` through ``__reduce__`` is the
classic). This interpreter never imports a module: `pickletools.genops` parses the opcodes
(it executes nothing), containers are built here, and each global the file names must be a
key of the caller's allow-list, whose value -- a function of ours -- stands in for it. A
global outside the list is refused by name when it is first named, before any call.
"""

from __future__ import annotations

import pickletools
from collections import OrderedDict
from typing import Any, Callable, Mapping

from .errors import CorruptCheckpointError, UnsafeCheckpointError

__all__ = ["unpickle"]

_MARK = object()
_PUSH_ARG = frozenset({
    "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT",
    "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES", "SHORT_BINBYTES",
    "BINBYTES8"})
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}


def unpickle(data: bytes, allowed: Mapping[str, Any],
             persistent_load: Callable[[Any], Any] | None, filename: str) -> Any:
    """The object the pickle ``data`` describes.

    Args:
        data: one pickle (protocol 0 to 5; ``STOP`` ends it).
        allowed: ``{"module.name": stand-in}``: the only globals the file may name. A
            global becomes its stand-in; calling one in the file (``REDUCE``) calls the
            stand-in with the pickled arguments, and nothing else can be called.
        persistent_load: called with each persistent id (``BINPERSID``); None refuses them.
        filename: named in errors.

    Raises:
        UnsafeCheckpointError: a global outside ``allowed``, or an opcode that resolves
            names on its own (``INST``, ``OBJ``, ``EXT*``).
        CorruptCheckpointError: a malformed or truncated pickle.
    """
    allow = ", ".join(sorted(allowed))
    stack: list[Any] = []
    marks: list[list[Any]] = []
    memo: dict[int, Any] = {}

    def pop_mark() -> list[Any]:
        nonlocal stack
        items, stack = stack, marks.pop()
        return items

    callables = {id(v) for v in allowed.values() if callable(v)}

    def resolve(name: str) -> Any:
        if name not in allowed:
            raise UnsafeCheckpointError(filename, name, allow)
        return allowed[name]

    def call(fn: Any, args: Any) -> Any:
        if id(fn) not in callables or not isinstance(args, tuple):
            raise TypeError(f"REDUCE needs an allowed global and an argument tuple; got "
                            f"{type(fn).__name__}")
        return fn(*args)

    try:
        for op, arg, _ in pickletools.genops(data):
            name = op.name
            if name in _PUSH_ARG:
                stack.append(arg)
            elif name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name in ("PROTO", "FRAME"):
                pass
            elif name == "STOP":
                return stack.pop()
            elif name == "MARK":
                marks.append(stack)
                stack = []
            elif name == "POP":
                stack.pop()
            elif name == "POP_MARK":
                pop_mark()
            elif name == "DUP":
                stack.append(stack[-1])
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo[arg])
            elif name == "EMPTY_TUPLE":
                stack.append(())
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif name == "TUPLE":
                items = pop_mark()  # first: pop_mark rebinds ``stack``
                stack.append(tuple(items))
            elif name == "EMPTY_LIST":
                stack.append([])
            elif name == "LIST":
                items = pop_mark()
                stack.append(items)
            elif name == "APPEND":
                value = stack.pop()
                _container(stack[-1], list).append(value)
            elif name == "APPENDS":
                items = pop_mark()
                _container(stack[-1], list).extend(items)
            elif name == "EMPTY_DICT":
                stack.append({})
            elif name == "DICT":
                items = pop_mark()
                stack.append(dict(zip(items[::2], items[1::2])))
            elif name == "SETITEM":
                value = stack.pop()
                key = stack.pop()
                _container(stack[-1], dict)[key] = value
            elif name == "SETITEMS":
                items = pop_mark()
                _container(stack[-1], dict).update(zip(items[::2], items[1::2]))
            elif name == "GLOBAL":
                stack.append(resolve(arg.replace(" ", ".")))
            elif name == "STACK_GLOBAL":
                qual = stack.pop()
                module = stack.pop()
                stack.append(resolve(f"{module}.{qual}"))
            elif name in ("REDUCE", "NEWOBJ"):
                args = stack.pop()
                stack.append(call(stack.pop(), args))
            elif name == "BUILD":
                state = stack.pop()
                _build(stack[-1], state)
            elif name == "BINPERSID" and persistent_load is not None:
                stack.append(persistent_load(stack.pop()))
            elif name in ("INST", "OBJ") and arg:
                raise UnsafeCheckpointError(filename, arg.replace(" ", "."), allow)
            else:
                raise UnsafeCheckpointError(filename, f"pickle opcode {name}", allow)
    except (ValueError, IndexError, KeyError, TypeError) as e:
        raise CorruptCheckpointError(filename, f"malformed pickle: {type(e).__name__}: {e}") \
            from None
    raise CorruptCheckpointError(filename, "the pickle ends without a STOP opcode")


def _container(obj: Any, kind: type) -> Any:
    if not isinstance(obj, kind):
        raise TypeError(f"expected a {kind.__name__} to add items to; got {type(obj).__name__}")
    return obj


def _build(obj: Any, state: Any) -> None:
    """``BUILD`` sets attributes; allowed only on an OrderedDict (a state_dict's
    ``_metadata``), with plain names.
    """
    if not isinstance(obj, OrderedDict) or not isinstance(state, dict):
        raise TypeError(f"BUILD is only read for OrderedDict attributes; got "
                        f"{type(obj).__name__}")
    for key, value in state.items():
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("__"):
            raise TypeError(f"bad attribute name {key!r}")
        setattr(obj, key, value)
