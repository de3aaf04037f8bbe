"""Call a module with other parameters and buffers, as `torch.nn.utils.stateless`
(``functional_call``): the given tensors are swapped into the module for the call and the
module's own are put back afterwards, even when the call raises, so gradients flow to the
given tensors and the module is left as it was.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Iterator

from ...tensor import Tensor
from ..module import Module

__all__ = ["functional_call"]

_MISSING: Any = object()  # "the module had no such attribute": delete it on restore


def _untie_named_tensors_map(module: Module,
                             parameters_and_buffers: dict[str, Tensor]) -> dict[str, Tensor]:
    """``parameters_and_buffers`` plus, for every given name of a tensor the module shares
    under several names (tied weights), the same value under the other names.

    Raises:
        ValueError: if different values are given for names of one tied tensor.
    """
    all_named: dict[str, Tensor] = dict(module.named_parameters(remove_duplicate=False))
    all_named.update(module.named_buffers(remove_duplicate=False))
    names_by_tensor: dict[int, set[str]] = {}
    for name, tensor in all_named.items():
        names_by_tensor.setdefault(id(tensor), set()).add(name)
    tied: dict[str, set[str]] = {name: names for names in names_by_tensor.values()
                                 if len(names) > 1 for name in names}
    given_tied = {name for name in parameters_and_buffers if name in tied}
    for given in given_tied:
        names = tied[given]
        if (len(names & given_tied) > 1
                and len({id(parameters_and_buffers[n]) for n in names & given_tied}) != 1):
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for given in given_tied:
        for name in tied[given]:
            untied[name] = parameters_and_buffers[given]
    return untied


def _submodule(module: Module, path: str) -> Module:
    owner = module
    for attr in filter(None, path.split(".")):
        try:
            owner = getattr(owner, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(owner, Module):
            raise TypeError(f"submodule `{path}`: {owner} is not an instance of "
                            "tensorweave.nn.Module")
    return owner


def _swap_tensor(module: Module, name: str, tensor: Any) -> Any:
    """Put ``tensor`` at dotted ``name`` (deleting the attribute for `_MISSING`); return
    what was there (`_MISSING` if nothing). Parameters and buffers are replaced in their
    dicts directly, so a plain tensor can stand in for a `Parameter`."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of tensorweave.Tensor")
    prefix, _, attr = name.rpartition(".")
    owner = _submodule(module, prefix)
    for store in (owner._parameters, owner._buffers):
        if attr in store:
            orig = store[attr]
            if tensor is _MISSING:
                del store[attr]
            else:
                store[attr] = tensor
            return orig
    orig = getattr(owner, attr, _MISSING)
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{attr}`: {orig} is not an instance of tensorweave.Tensor")
    if tensor is not _MISSING:
        setattr(owner, attr, tensor)
    elif hasattr(owner, attr):
        delattr(owner, attr)
    return orig


def _swap_all(module: Module, named: dict[str, Any]) -> dict[str, Any]:
    """Swap every entry of ``named`` in; on an error, swap back those already done."""
    swapped: dict[str, Any] = {}
    try:
        for name, tensor in named.items():
            swapped[name] = _swap_tensor(module, name, tensor)
    except Exception:
        for name, orig in swapped.items():
            _swap_tensor(module, name, orig)
        raise
    return swapped


def _check_keys(module: Module, keys: Any) -> None:
    valid = {name for name, _ in module.named_parameters(remove_duplicate=False)}
    valid |= {name for name, _ in module.named_buffers(remove_duplicate=False)}
    missing, unexpected = sorted(valid - set(keys)), sorted(set(keys) - valid)
    error_msgs = []
    if unexpected:
        error_msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        error_msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if error_msgs:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(error_msgs)))


@contextmanager
def _reparametrize_module(module: Module, parameters_and_buffers: dict[str, Tensor],
                          tie_weights: bool = False, strict: bool = False) -> Iterator[None]:
    """Within the block, ``module`` uses ``parameters_and_buffers``; afterwards its own
    tensors are back, and tensors the call replaced (``self.x = ...``) are reported back
    into ``parameters_and_buffers``, as PyTorch does."""
    untied = (_untie_named_tensors_map(module, parameters_and_buffers) if tie_weights
              else parameters_and_buffers)
    if strict:
        _check_keys(module, untied)
    originals: dict[str, Any] = {}
    try:
        originals = _swap_all(module, untied)
        yield
    finally:
        new = _swap_all(module, originals)
        parameters_and_buffers.update({k: new[k] for k in parameters_and_buffers if k in new})


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor],
                    args: Any = None, kwargs: dict[str, Any] | None = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the module's parameters and buffers named in
    ``parameters_and_buffers`` (dotted names, as `Module.named_parameters` gives them)
    replaced by the given tensors for the call, as `torch.nn.utils.stateless.
    functional_call`. PyTorch deprecates this location in favour of
    ``torch.func.functional_call`` and warns; so does this one.

    Args:
        module: the module to call.
        parameters_and_buffers: name -> tensor to use instead of the module's.
        args: the positional argument(s); a non-tuple is a single argument.
        kwargs: keyword arguments for the call.
        tie_weights: a tensor the module shares under several names (tied weights) takes
            the value given for any of them; different values for them raise.
        strict: require the names to be exactly the module's parameters and buffers.

    Returns:
        What the module returns.

    Raises:
        ValueError: if tied names get different values (with ``tie_weights``).
        RuntimeError: for missing or unexpected names (with ``strict``).
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)


def _functional_call(module: Module, parameters_and_buffers: dict[str, Tensor],
                     args: Any = None, kwargs: dict[str, Any] | None = None, *,
                     tie_weights: bool = True, strict: bool = False) -> Any:
    """`functional_call` without its deprecation warning (``tensorweave.func``'s
    ``functional_call`` is the non-deprecated entry point, as ``torch.func``'s is)."""
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)
