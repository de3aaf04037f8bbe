"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict against PyTorch."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from _twin_nets import leaf_classes

import tensorweave as tw
from tensorweave import nn


def _names(pairs: Any) -> list[str]:
    return [name for name, _ in pairs]


def _ns(container: Any) -> list[Any]:
    """The ``n`` of each Leaf (None for Empty) in a container, in order."""
    return [getattr(m, "n", None) for m in container]


class AddConst(nn.Module):
    def __init__(self, c: float) -> None:
        super().__init__()
        self.c = c

    def forward(self, x: Any) -> Any:
        return x + self.c


class Scale(nn.Module):
    def __init__(self, s: float) -> None:
        super().__init__()
        self.s = nn.Parameter(tw.tensor(s))

    def forward(self, x: Any) -> Any:
        return x * self.s


# -- Sequential ----------------------------------------------------------------------------------

def test_sequential_chains_modules_in_order() -> None:
    seq = nn.Sequential(AddConst(1.0), Scale(3.0), AddConst(-2.0))
    out = seq(tw.tensor([0.0, 1.0]))
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, 4.0])  # ((x + 1) * 3) - 2
    out.sum().backward()
    assert seq[1].s.grad.item() == 3.0
    assert _names(seq.named_parameters()) == ["1.s"]
    named = nn.Sequential(OrderedDict([("shift", AddConst(1.0)), ("scale", Scale(2.0))]))
    assert list(named.state_dict()) == ["scale.s"] and named.shift.c == 1.0
    np.testing.assert_array_equal(named(tw.tensor([1.0])).detach().numpy(), [4.0])
    assert nn.Sequential()(5) == 5


def test_sequential_indexing() -> None:
    Leaf, Empty = leaf_classes(tw)
    seq = nn.Sequential(Leaf(1), Leaf(2), Empty(), Leaf(3))
    assert seq[0].n == 1 and seq[-1].n == 3 and seq[-4].n == 1
    head = seq[1:3]
    assert type(head) is nn.Sequential and _ns(head) == [2, None]
    assert list(head._modules) == ["1", "2"]  # a slice keeps the names, as in torch
    assert _ns(seq[::-2]) == [3, 2]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]
    with pytest.raises(IndexError, match="index -5 is out of range"):
        seq[-5]
    with pytest.raises(TypeError):
        seq["0"]
    seq[-1] = Leaf(9)
    assert seq[3].n == 9 and len(seq) == 4 and _ns(iter(seq)) == [1, 2, None, 9]


def test_sequential_mutation_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def run(fw: Any) -> list[Any]:
        Leaf, Empty = leaf_classes(fw)
        seq = fw.nn.Sequential(Leaf(1), Leaf(2), Empty())
        log = []
        seq.append(Leaf(3)).insert(1, Leaf(4)).insert(-1, Leaf(5)).extend([Leaf(6), Leaf(7)])
        log.append((_ns(seq), list(seq._modules)))
        popped = seq.pop(2)
        log.append((popped.n, _ns(seq), list(seq._modules)))
        del seq[1:3]
        del seq[-1]
        log.append((_ns(seq), list(seq._modules), repr(seq)))
        both = seq + fw.nn.Sequential(Leaf(8))
        log.append((type(both).__name__, _ns(both), _ns(seq)))
        seq += fw.nn.Sequential(Empty())
        log.append(_ns(seq))
        log.append((_ns(fw.nn.Sequential(Leaf(1), Empty()) * 2),
                    _ns(2 * fw.nn.Sequential(Leaf(2)))))
        return log

    assert run(tw) == run(torch)


def test_sequential_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for fw in (torch, tw):
        Leaf, _ = leaf_classes(fw)
        seq = fw.nn.Sequential(Leaf(1))
        with pytest.raises(IndexError, match="Index out of range: 3"):
            seq.insert(3, Leaf(2))
        with pytest.raises(AssertionError, match="module should be of type"):
            seq.insert(0, 5)
        with pytest.raises(ValueError, match="add operator supports only objects of Sequential "
                                             "class, but <class 'list'> is given."):
            seq + [Leaf(2)]
        with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
            seq * 0


def test_sequential_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def build(fw: Any) -> Any:
        Leaf, Empty = leaf_classes(fw)
        return fw.nn.Sequential(OrderedDict([
            ("enc", fw.nn.Sequential(Leaf(1), Leaf(1), Empty())),
            ("mid", Leaf(2, multi=True)),
            ("dec", fw.nn.Sequential())]))

    assert repr(build(tw)) == repr(build(torch))


# -- ModuleList ----------------------------------------------------------------------------------

def test_module_list_registers_and_indexes() -> None:
    Leaf, Empty = leaf_classes(tw)
    ml = nn.ModuleList([Leaf(1), Leaf(2)])
    ml.append(Empty())
    ml += [Leaf(3)]
    ml.extend((Leaf(4),))
    assert len(ml) == 5 and _ns(ml) == [1, 2, None, 3, 4]
    assert _names(ml.named_parameters()) == ["0.weight", "1.weight", "3.weight", "4.weight"]
    assert ml[-1].n == 4 and type(ml[1:3]) is nn.ModuleList and _ns(ml[1:3]) == [2, None]
    assert list(ml[1:3]._modules) == ["0", "1"]  # a ModuleList slice renumbers, as in torch
    assert ml.index(ml[3]) == 3
    with pytest.raises(ValueError, match="is not in ModuleList"):
        ml.index(Leaf(1))
    with pytest.raises(IndexError, match="index 5 is out of range"):
        ml[5]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(Leaf(5))
    ml[0] = Leaf(9)
    ml.insert(1, Leaf(7))
    assert _ns(ml) == [9, 7, 2, None, 3, 4]
    assert ml.pop(-1).n == 4
    del ml[0]
    assert _ns(ml) == [7, 2, None, 3] and list(ml._modules) == ["0", "1", "2", "3"]
    combined = ml + nn.ModuleList([Leaf(8)])
    assert type(combined) is nn.ModuleList and _ns(combined) == [7, 2, None, 3, 8]


def test_module_list_mutation_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def run(fw: Any) -> list[Any]:
        Leaf, Empty = leaf_classes(fw)
        ml = fw.nn.ModuleList([Leaf(i) for i in range(6)])
        del ml[1:5:2]
        ml.insert(0, Empty())
        popped = ml.pop(2)
        return [_ns(ml), list(ml._modules), popped.n, _names(ml.named_parameters())]

    assert run(tw) == run(torch)


def test_module_list_repr_collapses_repeats_like_torch() -> None:
    torch = pytest.importorskip("torch")

    def build(fw: Any) -> Any:
        Leaf, Empty = leaf_classes(fw)
        nested = fw.nn.ModuleList([fw.nn.Sequential(Leaf(1, multi=True)) for _ in range(2)])
        return fw.nn.ModuleList([Leaf(4), Leaf(4), Leaf(4), Leaf(5), Empty(), Empty(), Leaf(4),
                                 nested, fw.nn.ModuleList()])

    assert repr(build(tw)) == repr(build(torch))
    assert repr(nn.ModuleList()) == "ModuleList()"


# -- ModuleDict ----------------------------------------------------------------------------------

def test_module_dict_api() -> None:
    Leaf, Empty = leaf_classes(tw)
    md = nn.ModuleDict({"b": Leaf(1), "a": Empty()})
    md["c"] = Leaf(2)
    md.update([("d", Leaf(3))])
    md.update(nn.ModuleDict({"b": Leaf(4)}))  # overwrites in place, keeps the position
    assert list(md) == ["b", "a", "c", "d"] and list(md.keys()) == list(md)
    assert "c" in md and "z" not in md and len(md) == 4
    assert [k for k, _ in md.items()] == list(md) and _ns(md.values()) == [4, None, 2, 3]
    assert _names(md.named_parameters()) == ["b.weight", "c.weight", "d.weight"]
    assert md.pop("c").n == 2 and list(md) == ["b", "a", "d"]
    del md["a"]
    assert list(md) == ["b", "d"] and md.b.n == 4
    with pytest.raises(TypeError, match="should be called with an iterable of key/value pairs"):
        md.update(5)
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        md.update([("x", Leaf(1), 3)])
    md.clear()
    assert len(md) == 0 and not list(md.parameters())


def test_module_dict_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def build(fw: Any) -> Any:
        Leaf, Empty = leaf_classes(fw)
        return fw.nn.ModuleDict([("z", Leaf(1)), ("a", fw.nn.ModuleDict({"e": Empty()}))])

    assert repr(build(tw)) == repr(build(torch))


# -- ParameterList / ParameterDict ---------------------------------------------------------------

def test_parameter_list_converts_and_registers() -> None:
    pl = nn.ParameterList([tw.ones(2), nn.Parameter(tw.zeros(3))])
    pl.append(tw.full((2, 2), 3.0))
    pl.extend([tw.ones(1)])
    assert len(pl) == 4 and all(type(p) is nn.Parameter for p in pl)
    assert _names(pl.named_parameters()) == ["0", "1", "2", "3"]
    assert pl[-2].shape == (2, 2) and type(pl[1:3]) is nn.ParameterList and len(pl[1:3]) == 2
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        pl.extend(tw.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(1)
    total = sum((p.sum() for p in pl), tw.tensor(0.0))
    total.backward()
    np.testing.assert_array_equal(pl[2].grad.numpy(), np.ones((2, 2)))


def test_parameter_dict_converts_and_registers() -> None:
    pd = nn.ParameterDict({"w": tw.ones(2), "b": nn.Parameter(tw.zeros(1))})
    assert list(pd) == ["b", "w"]  # a plain dict is taken in key order, as torch does
    pd["a"] = tw.ones(3)
    pd.update(OrderedDict([("z", tw.zeros(1)), ("y", tw.zeros(1))]))
    assert list(pd.keys()) == ["b", "w", "a", "z", "y"]
    assert type(pd["a"]) is nn.Parameter and "a" in pd and pd.get("q") is None
    assert _names(pd.named_parameters()) == ["b", "w", "a", "z", "y"]
    assert pd.pop("z").shape == (1,) and pd.popitem()[0] == "y"
    assert pd.setdefault("c", tw.ones(1)) is pd["c"] and list(reversed(pd))[0] == "c"
    assert list(pd.copy()) == list(pd) and pd.copy()["a"] is pd["a"]
    with pytest.raises(TypeError, match="cannot be used as a key as it is not a string"):
        pd[1] = tw.ones(1)
    pd.clear()
    assert len(pd) == 0 and not list(pd.parameters())


def test_parameter_containers_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def build(fw: Any) -> tuple[Any, Any]:
        pl = fw.nn.ParameterList([fw.nn.Parameter(fw.ones(2, 3)), fw.ones(1)])
        pd = fw.nn.ParameterDict({"b": fw.ones(2), "a": fw.zeros(3, dtype=fw.float64)})
        return pl, pd

    (tpl, tpd), (mpl, mpd) = build(torch), build(tw)
    assert repr(mpl) == repr(tpl).replace("torch.float32", str(tw.float32))
    expected = repr(tpd).replace("torch.FloatTensor", tw.zeros(1).type())
    assert repr(mpd) == expected.replace("torch.DoubleTensor", tw.zeros(1).double().type())


def test_deprecated_container_registers_its_keywords() -> None:
    torch = pytest.importorskip("torch")
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated") as ours:
        c = tw.nn.Container(first=tw.nn.Linear(2, 3), second=tw.nn.ReLU())
    with pytest.warns(FutureWarning) as theirs:
        t = torch.nn.Container(first=torch.nn.Linear(2, 3), second=torch.nn.ReLU())
    assert list(dict(c.named_children())) == list(dict(t.named_children())) == ["first",
                                                                              "second"]
    assert repr(c) == repr(t) and str(ours[0].message) == str(theirs[0].message)
    assert list(c.state_dict()) == list(t.state_dict())
