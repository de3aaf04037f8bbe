"""`Module`, `Parameter` and `Buffer` against PyTorch's behaviour, names and texts."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from _twin_nets import leaf_classes, make_net

import tensorweave as tw
from tensorweave import nn


def _tw_text(torch_text: str) -> str:
    """PyTorch's message as tensorweave words it (its Size and tensor type names)."""
    text = torch_text.replace("torch.FloatTensor", tw.zeros(1).type())
    text = text.replace("torch.Size", "tensorweave.Size")
    text = text.replace("torch Tensor", "tensorweave Tensor")
    return text.replace("torch.", "tensorweave.")


def _names(pairs: Any) -> list[str]:
    return [name for name, _ in pairs]


class Affine(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(tw.tensor([1.0, 2.0, 3.0]))
        self.register_buffer("offset", tw.tensor([0.5, 0.5, 0.5]))

    def forward(self, x: Any, scale: float = 1.0) -> Any:
        return (x * self.w + self.offset) * scale


# -- Parameter and Buffer ------------------------------------------------------------------------

def test_parameter_shares_storage_and_requires_grad() -> None:
    data = tw.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert type(p) is nn.Parameter and isinstance(p, tw.Tensor)
    assert p.requires_grad and p.is_leaf and not data.requires_grad
    data.add_(1.0)  # same storage: the parameter sees the write
    np.testing.assert_array_equal(p.detach().numpy(), [2.0, 3.0])
    frozen = nn.Parameter(tw.tensor([1, 2]), requires_grad=False)
    assert frozen.dtype == tw.int64 and not frozen.requires_grad
    empty = nn.Parameter()
    assert empty.shape == (0,) and empty.requires_grad


def test_parameter_of_integers_cannot_require_grad() -> None:
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tw.tensor([1, 2]))


def test_parameter_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    values = [[1.5, -2.0], [0.25, 3.0]]
    assert repr(nn.Parameter(tw.tensor(values))) == repr(torch.nn.Parameter(torch.tensor(values)))
    assert repr(nn.Parameter(tw.tensor(values), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.tensor(values), requires_grad=False))


def test_ops_on_parameter_return_tensors_and_inplace_keeps_it() -> None:
    p = nn.Parameter(tw.tensor([1.0, 2.0]))
    out = p * 2
    assert type(out) is tw.Tensor and out.grad_fn is not None
    assert type(p.detach()) is tw.Tensor
    with tw.no_grad():
        same = p.sub_(tw.tensor([1.0, 1.0]))
    assert same is p and type(p) is nn.Parameter and p.requires_grad and p.is_leaf
    np.testing.assert_array_equal(p.detach().numpy(), [0.0, 1.0])


def test_parameter_deepcopy_and_pickle() -> None:
    p = nn.Parameter(tw.tensor([1.0, 2.0]))
    p.grad = tw.tensor([0.5, 0.5])
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q is not p and q.requires_grad
    np.testing.assert_array_equal(q.detach().numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(q.grad.numpy(), [0.5, 0.5])
    with tw.no_grad():
        q.mul_(10.0)
    np.testing.assert_array_equal(p.detach().numpy(), [1.0, 2.0])  # independent storage
    r = pickle.loads(pickle.dumps(nn.Parameter(tw.tensor([3.0]), requires_grad=False)))
    assert type(r) is nn.Parameter and not r.requires_grad and r.item() == 3.0


def test_buffer_is_a_flagged_plain_tensor() -> None:
    data = tw.tensor([1.0, 2.0])
    b = nn.Buffer(data, persistent=False)
    assert type(b) is tw.Tensor and isinstance(b, nn.Buffer) and not isinstance(data, nn.Buffer)
    assert b.persistent is False
    data.add_(1.0)
    np.testing.assert_array_equal(b.numpy(), [2.0, 3.0])
    m = nn.Module()
    m.stat = nn.Buffer(tw.zeros(2))
    m.tmp = b
    assert _names(m.named_buffers()) == ["stat", "tmp"]
    assert list(m.state_dict()) == ["stat"]
    m.stat = tw.ones(2)  # a plain tensor assigned to a buffer's name replaces the buffer
    np.testing.assert_array_equal(m.stat.numpy(), [1.0, 1.0])
    assert list(m.state_dict()) == ["stat"]


# -- registration and attribute protocol ---------------------------------------------------------

def test_assignment_registers_in_order_and_reassignment_moves() -> None:
    m = nn.Module()
    m.a = nn.Parameter(tw.zeros(1))
    m.child = Affine()
    m.register_buffer("buf", tw.zeros(1))
    m.plain = 3
    assert list(m._parameters) == ["a"] and list(m._modules) == ["child"]
    assert list(m._buffers) == ["buf"] and m.plain == 3 and "plain" not in m._parameters
    m.child = nn.Parameter(tw.ones(1))  # a module slot becomes a parameter
    assert "child" not in m._modules and _names(m.named_parameters()) == ["a", "child"]
    m.a = None
    assert m.a is None and _names(m.named_parameters()) == ["child"]
    del m.child, m.buf, m.plain
    assert not m._modules and not m._buffers and not hasattr(m, "plain")
    assert "child" not in m._parameters


def test_setattr_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for fw in (torch, tw):
        m = make_net(fw)
        with pytest.raises(TypeError) as e:
            m.bias = fw.zeros(2)
        assert str(e.value) == (f"cannot assign '{fw.zeros(2).type()}' as parameter 'bias' "
                                f"({fw.__name__}.nn.Parameter or None expected)")
        with pytest.raises(TypeError) as e:
            m.first = 3
        assert str(e.value) == (f"cannot assign 'int' as child module 'first' "
                                f"({fw.__name__}.nn.Module or None expected)")
    uninit = nn.Module.__new__(nn.Module)
    with pytest.raises(AttributeError, match="before Module.__init__"):
        uninit.w = nn.Parameter(tw.zeros(1))


@pytest.mark.parametrize("call", [
    lambda fw, m: m.register_buffer("first", None),
    lambda fw, m: m.register_buffer("", None),
    lambda fw, m: m.register_parameter("a.b", None),
    lambda fw, m: m.register_parameter("x", fw.zeros(1)),
    lambda fw, m: m.add_module("x", 3),
    lambda fw, m: m.add_module("x.y", fw.nn.Module()),
    lambda fw, m: m.register_buffer("x", 3),
    lambda fw, m: m.nothing,
    lambda fw, m: m.get_submodule("seq.9"),
    lambda fw, m: m.get_submodule("block.scale"),
    lambda fw, m: m.get_parameter("block.steps"),
    lambda fw, m: m.get_parameter("block.nope"),
    lambda fw, m: m.get_buffer("block.scale"),
    lambda fw, m: m.train("yes"),
])
def test_registration_errors_match_torch(call: Any) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as expected:
        call(torch, make_net(torch))
    with pytest.raises(type(expected.value)) as got:
        call(tw, make_net(tw))
    assert str(got.value) == _tw_text(str(expected.value))


def test_non_leaf_parameter_is_refused() -> None:
    m = nn.Module()
    p = nn.Parameter(tw.ones(2))
    q = p * 2
    q.__class__ = nn.Parameter  # a Parameter object carrying history
    with pytest.raises(ValueError, match="non-leaf Tensor to parameter 'q'"):
        m.register_parameter("q", q)


def test_get_submodule_parameter_buffer() -> None:
    net = make_net(tw)
    assert net.get_submodule("") is net
    assert net.get_submodule("seq.2.0") is net.seq[2][0]
    assert net.get_parameter("blocks.1.inner.weight") is net.blocks[1].inner.weight
    assert net.get_buffer("block.steps") is net.block.steps
    replacement = nn.Module()
    net.set_submodule("seq.2.0", replacement)
    assert net.seq[2][0] is replacement
    with pytest.raises(AttributeError, match="has no attribute `zz`"):
        net.set_submodule("seq.zz", nn.Module(), strict=True)


def test_dir_lists_members_without_numeric_names() -> None:
    net = make_net(tw)
    names = dir(net)
    assert {"bias", "running", "first", "forward", "state_dict"} <= set(names)
    assert names == sorted(names)
    assert "0" not in dir(net.seq) and "append" in dir(net.seq)


# -- iteration -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["named_parameters", "named_buffers", "named_modules",
                                    "named_children"])
def test_named_iteration_order_matches_torch(method: str) -> None:
    torch = pytest.importorskip("torch")
    expected = _names(getattr(make_net(torch), method)())
    assert _names(getattr(make_net(tw), method)()) == expected


def test_iteration_options_match_torch() -> None:
    torch = pytest.importorskip("torch")
    t, m = make_net(torch), make_net(tw)
    for call in (lambda n: n.named_parameters(prefix="model", recurse=True),
                 lambda n: n.named_parameters(recurse=False),
                 lambda n: n.named_parameters(remove_duplicate=False),
                 lambda n: n.named_buffers(prefix="p", remove_duplicate=False),
                 lambda n: n.named_modules(prefix="root", remove_duplicate=False)):
        assert _names(call(m)) == _names(call(t))
    assert [type(c).__name__ for c in m.children()] == [type(c).__name__ for c in t.children()]
    assert len(list(m.modules())) == len(list(t.modules()))
    assert len(list(m.modules(remove_duplicate=False))) == len(
        list(t.modules(remove_duplicate=False)))


def test_parameter_count_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    count = sum(p.numel() for p in make_net(torch).parameters())
    assert sum(p.numel() for p in make_net(tw).parameters()) == count == 44


def test_apply_visits_children_first() -> None:
    net = make_net(tw)
    seen: list[str] = []
    net.seq.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Leaf", "Empty", "Leaf", "Sequential", "Leaf", "Sequential"]

    def init(m: Any) -> None:
        if type(m).__name__ == "Leaf":
            nn.init.constant_(m.weight, 0.5)

    assert net.apply(init) is net
    assert all(float(m.weight.sum()) == 0.5 * m.weight.numel()
               for m in net.modules() if type(m).__name__ == "Leaf")


# -- modes and gradients -------------------------------------------------------------------------

def test_train_eval_recurse() -> None:
    net = make_net(tw)
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.blocks.train()
    assert net.blocks[0].inner.training and not net.training and not net.seq.training
    assert net.train() is net and all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad_() -> None:
    m = Affine()
    m(tw.ones(3)).sum().backward()
    np.testing.assert_array_equal(m.w.grad.numpy(), [1.0, 1.0, 1.0])
    m.zero_grad(set_to_none=False)
    g = m.w.grad
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0])
    m(tw.ones(3) * 2).sum().backward()
    assert m.w.grad is g  # accumulated into the zeroed tensor
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])
    m.zero_grad()
    assert m.w.grad is None
    assert m.requires_grad_(False) is m and not m.w.requires_grad
    assert not m(tw.ones(3)).requires_grad
    m.requires_grad_()
    assert m.w.requires_grad


# -- conversion ----------------------------------------------------------------------------------

def test_to_dtype_casts_floating_state_in_place() -> None:
    net = make_net(tw)
    params = {n: id(p) for n, p in net.named_parameters()}
    net.bias.grad = tw.ones(2)
    assert net.to(tw.float64) is net
    assert {n: id(p) for n, p in net.named_parameters()} == params  # optimizers keep working
    assert all(p.dtype == tw.float64 and type(p) is nn.Parameter and p.requires_grad
               for p in net.parameters())
    assert net.bias.grad.dtype == tw.float64
    assert net.running.dtype == tw.float64 and net.block.cache.dtype == tw.float64
    assert net.block.steps.dtype == tw.int64  # integer buffers keep their dtype
    np.testing.assert_array_equal(net.first.weight.detach().numpy(),
                                  np.arange(6.0).reshape(3, 2))
    net.half()
    assert net.bias.dtype == tw.float16 and net.block.steps.dtype == tw.int64
    net.float()
    assert net.bias.dtype == tw.float32
    net.double()
    assert net.bias.dtype == tw.float64
    net.to(tw.zeros(1, dtype=tw.float32))
    assert net.bias.dtype == tw.float32
    net.to("cpu", dtype=tw.float64, non_blocking=True).cpu()
    assert net.bias.dtype == tw.float64 and net.bias.device == tw.device("cpu")
    net.type(tw.float32)
    assert net.block.steps.dtype == tw.float32  # type() casts every tensor, like torch
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        net.to(tw.int32)


def test_to_device(device: str) -> None:
    m = Affine().to(device)
    assert m.w.device == tw.device(device) and m.offset.device == tw.device(device)
    out = m(tw.ones(3, device=device))
    np.testing.assert_allclose(out.detach().cpu().numpy(), [1.5, 2.5, 3.5])
    m.cpu()
    assert m.w.device == tw.device("cpu")


# -- state dict ----------------------------------------------------------------------------------

def test_state_dict_keys_metadata_and_sharing_match_torch() -> None:
    torch = pytest.importorskip("torch")
    t, m = make_net(torch), make_net(tw)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict) and list(sd) == list(t.state_dict())
    assert dict(sd._metadata) == dict(t.state_dict()._metadata)
    assert all(type(v) is tw.Tensor and not v.requires_grad for v in sd.values())
    sd["bias"].add_(5.0)  # detached, but sharing storage with the parameter
    np.testing.assert_array_equal(m.bias.detach().numpy(), [5.0, 5.0])
    kept = m.state_dict(keep_vars=True)
    assert kept["bias"] is m.bias and kept["block.steps"] is m.block.steps
    prefixed = m.block.state_dict(prefix="enc.")
    assert list(prefixed) == ["enc.scale", "enc.steps", "enc.inner.weight"]
    dest: dict[str, Any] = {}
    assert m.block.state_dict(destination=dest) is dest and len(dest) == 3


def test_load_state_dict_round_trip() -> None:
    src, dst = make_net(tw), make_net(tw)
    with tw.no_grad():
        for i, p in enumerate(src.parameters()):
            p.add_(float(i + 1))
        src.block.steps.fill_(7)
    params = list(dst.parameters())
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert list(dst.parameters()) == params  # copied in place
    for (name, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert dst.block.steps.item() == 7
    x = tw.tensor([1.0, -1.0])
    np.testing.assert_array_equal(dst(x).detach().numpy(), src(x).detach().numpy())


def _break(sd: dict[str, Any], fw: Any) -> dict[str, Any]:
    sd = dict(sd)
    del sd["block.scale"], sd["seq.0.weight"]
    sd["block.extra"] = fw.zeros(1)
    sd["nothere.weight"] = fw.zeros(1)
    sd["first.weight"] = fw.zeros(2, 3)
    return sd


def test_load_state_dict_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    t, m = make_net(torch), make_net(tw)
    with pytest.raises(RuntimeError) as expected:
        t.load_state_dict(_break(t.state_dict(), torch))
    with pytest.raises(RuntimeError) as got:
        m.load_state_dict(_break(m.state_dict(), tw))
    assert str(got.value) == _tw_text(str(expected.value))
    assert str(got.value).startswith(
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: '
        '"block.scale", "seq.0.weight". \n\tUnexpected key(s) in state_dict: ')
    assert ("size mismatch for first.weight: copying a param with shape tensorweave.Size([2, "
            "3]) from checkpoint, the shape in current model is tensorweave.Size([3, 2]).") in str(
        got.value)


def test_load_state_dict_non_strict_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    t, m = make_net(torch), make_net(tw)
    sd_t, sd_m = t.state_dict(), m.state_dict()
    for sd, fw in ((sd_t, torch), (sd_m, tw)):
        del sd["block.scale"]
        sd["block.extra"] = fw.zeros(1)
    expected = t.load_state_dict(sd_t, strict=False)
    got = m.load_state_dict(sd_m, strict=False)
    assert got == expected and repr(got) == repr(expected)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        m.load_state_dict({"bias": tw.zeros(3)}, strict=False)


def test_load_state_dict_value_checks() -> None:
    m = Affine()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([("w", tw.zeros(3))])
    with pytest.raises(RuntimeError, match='While copying the parameter named "w", expected '
                                           'tensorweave.Tensor or Tensor-like'):
        m.load_state_dict({"w": [1.0, 2.0, 3.0], "offset": tw.zeros(3)})
    m.load_state_dict({"w": tw.tensor([4.0, 5.0, 6.0], dtype=tw.float64), "offset": tw.zeros(3)})
    assert m.w.dtype == tw.float32  # copied into the parameter: its dtype stays
    np.testing.assert_array_equal(m.w.detach().numpy(), [4.0, 5.0, 6.0])
    scalar = nn.Module()
    scalar.register_buffer("s", tw.tensor(0.0))
    scalar.load_state_dict({"s": tw.tensor([2.5])})  # (1,) into a 0-d tensor, as torch allows
    assert scalar.s.shape == () and scalar.s.item() == 2.5


def test_load_state_dict_assign() -> None:
    m = Affine()
    new_w = tw.tensor([7.0, 8.0, 9.0], dtype=tw.float64)
    new_off = tw.zeros(3)
    m.load_state_dict({"w": new_w, "offset": new_off}, assign=True)
    assert type(m.w) is nn.Parameter and m.w.requires_grad and m.w.dtype == tw.float64
    assert m.offset is new_off
    new_w.add_(1.0)  # assigned: the module holds the given storage
    np.testing.assert_array_equal(m.w.detach().numpy(), [8.0, 9.0, 10.0])


def test_load_and_save_hooks_let_a_layer_customize() -> None:
    class Renamed(nn.Module):
        """Version 2 renamed ``old`` to ``new``; loading upgrades version-1 checkpoints."""

        _version = 2

        def __init__(self) -> None:
            super().__init__()
            self.new = nn.Parameter(tw.zeros(2))

        def _load_from_state_dict(self, state_dict: Any, prefix: str, local_metadata: Any,
                                  *args: Any) -> None:
            if local_metadata.get("version", 1) < 2 and prefix + "old" in state_dict:
                state_dict[prefix + "new"] = state_dict.pop(prefix + "old")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)

    wrapper = nn.Sequential(Renamed())
    old = OrderedDict([("0.old", tw.tensor([1.0, 2.0]))])
    old._metadata = OrderedDict([("", {"version": 1}), ("0", {"version": 1})])
    wrapper.load_state_dict(old)
    np.testing.assert_array_equal(wrapper[0].new.detach().numpy(), [1.0, 2.0])
    assert wrapper.state_dict()._metadata["0"] == {"version": 2}

    calls: list[Any] = []
    h1 = wrapper.register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(prefix))
    h2 = wrapper.register_state_dict_post_hook(
        lambda m, sd, prefix, meta: sd.__setitem__("extra", tw.ones(1)))
    h3 = wrapper.register_load_state_dict_pre_hook(
        lambda m, sd, prefix, *rest: sd.pop("extra", None))
    h4 = wrapper.register_load_state_dict_post_hook(lambda m, keys: calls.append(tuple(keys)))
    sd = wrapper.state_dict()
    assert list(sd) == ["0.new", "extra"] and calls == [""]
    wrapper.load_state_dict(sd)
    assert calls[-1] == ([], [])
    for h in (h1, h2, h3, h4):
        h.remove()
    assert list(wrapper.state_dict()) == ["0.new"]


def test_extra_state_round_trip() -> None:
    class Counter(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def get_extra_state(self) -> Any:
            return {"count": self.count}

        def set_extra_state(self, state: Any) -> None:
            self.count = state["count"]

    a, b = Counter(), Counter()
    a.count = 5
    assert list(a.state_dict()) == ["_extra_state"]
    b.load_state_dict(a.state_dict())
    assert b.count == 5
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
        b.load_state_dict({})
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "_extra_state"'):
        Affine().load_state_dict({**Affine().state_dict(), "_extra_state": 1})


# -- calling and hooks ---------------------------------------------------------------------------

def test_forward_missing_raises_like_torch() -> None:
    with pytest.raises(NotImplementedError,
                       match='Module \\[Module\\] is missing the required "forward" function'):
        nn.Module()(1)


def test_forward_hooks_modify_inputs_and_outputs() -> None:
    m = Affine()
    x = tw.ones(3)
    seen: list[Any] = []
    h_pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h_post = m.register_forward_hook(lambda mod, args, out: seen.append(args[0].tolist()))
    h_out = m.register_forward_hook(lambda mod, args, out: out + 100)
    np.testing.assert_array_equal(m(x).detach().numpy(), [102.5, 104.5, 106.5])
    assert seen == [[2.0, 2.0, 2.0]]  # forward hooks see the inputs as the pre-hook left them
    for h in (h_pre, h_post, h_out):
        h.remove()
    np.testing.assert_array_equal(m(x).detach().numpy(), [1.5, 2.5, 3.5])
    assert not m._forward_hooks and not m._forward_pre_hooks
    m.register_forward_pre_hook(lambda mod, args: args[0] * 3)  # a bare value is wrapped
    np.testing.assert_array_equal(m(x).detach().numpy(), [3.5, 6.5, 9.5])


def test_hooks_with_kwargs_prepend_and_context_manager() -> None:
    m = Affine()
    order: list[str] = []
    m.register_forward_hook(lambda mod, args, out: order.append("second"))
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {**kwargs, "scale": 10.0}), with_kwargs=True)
    seen: list[Any] = []
    with m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs),
                                 with_kwargs=True):
        out = m(tw.ones(3), scale=2.0)
    np.testing.assert_array_equal(out.detach().numpy(), [15.0, 25.0, 35.0])
    assert order == ["first", "second"] and seen == [{"scale": 10.0}]
    assert len(m._forward_hooks) == 2 and not m._forward_hooks_with_kwargs
    m.register_forward_pre_hook(lambda mod, args, kwargs: 3, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m(tw.ones(3))


def test_always_call_hook_runs_when_forward_raises() -> None:
    class Boom(nn.Module):
        def forward(self, x: Any) -> Any:
            raise ValueError("boom")

    m = Boom()
    calls: list[Any] = []
    m.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: calls.append("never"))
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert calls == [None]


def test_full_backward_hooks_match_torch() -> None:
    torch = pytest.importorskip("torch")

    def run(fw: Any) -> list[Any]:
        class Mul(fw.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.w = fw.nn.Parameter(fw.tensor([1.0, 2.0, 3.0]))

            def forward(self, x: Any, y: Any, k: float = 1.0) -> Any:
                return x * self.w * y * k, (x * 2).sum()

        def listed(gs: Any) -> list[Any]:
            return [None if g is None else g.tolist() for g in gs]

        m, log = Mul(), []
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", listed(go))))

        def hook(mod: Any, gi: Any, go: Any) -> Any:
            log.append(("full", listed(gi), listed(go)))
            return None if gi[0] is None else (gi[0] * 10, None, None)

        m.register_full_backward_hook(hook)
        x = fw.tensor([1.0, 1.0, 2.0], requires_grad=True)
        o1, o2 = m(x, fw.tensor([2.0, 2.0, 2.0]), 5.0)
        (o1.sum() + o2 * 3).backward()
        log.append(("grads", x.grad.tolist(), m.w.grad.tolist()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no inputs require gradients" warning
            o1, _ = m(fw.ones(3), 3.0)
            o1.sum().backward()
        return log

    assert run(tw) == run(torch)


def test_backward_pre_hook_replaces_output_grads() -> None:
    m = Affine()
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    x = tw.ones(3, requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(m.w.grad.numpy(), [2.0, 2.0, 2.0])


def test_call_without_hooks_is_forward() -> None:
    class Echo(nn.Module):
        def forward(self, *args: Any, **kwargs: Any) -> Any:
            return args, kwargs

    assert Echo()(1, 2, k=3) == ((1, 2), {"k": 3})


# -- copying and printing ------------------------------------------------------------------------

def test_deepcopy_keeps_sharing_and_separates_storage() -> None:
    net = make_net(tw)
    net.register_forward_hook(lambda mod, args, out: out * 0)
    clone = copy.deepcopy(net)
    assert clone.seq[3] is clone.first and clone.first is not net.first  # sharing preserved
    assert _names(clone.named_parameters()) == _names(net.named_parameters())
    assert all(type(p) is nn.Parameter and p.requires_grad for p in clone.parameters())
    with tw.no_grad():
        clone.bias.add_(1.0)
    np.testing.assert_array_equal(net.bias.detach().numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(clone(tw.ones(2)).detach().numpy(), [0.0, 0.0])  # hook copied


def test_pickle_round_trip() -> None:
    m = Affine()
    with tw.no_grad():
        m.w.mul_(2.0)
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is Affine and type(back.w) is nn.Parameter and back.w.requires_grad
    np.testing.assert_array_equal(back(tw.ones(3)).detach().numpy(), [2.5, 4.5, 6.5])


def test_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    assert repr(make_net(tw)) == repr(make_net(torch))
    Leaf, Empty = leaf_classes(tw)
    assert repr(Empty()) == "Empty()" and repr(Leaf(2)) == "Leaf(n=2)"
    assert repr(Leaf(2, multi=True)) == "Leaf(\n  n=2\n  multi=True\n)"


def test_subclass_init_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        nn.Module(x=1)
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        nn.Module(1)
