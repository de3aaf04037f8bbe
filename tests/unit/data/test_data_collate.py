"""default_collate / default_convert: PyTorch's structure and dtypes, and errors that name the
item and the field that differ.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import tensorweave as tw
from tensorweave.utils.data import CollateError, default_collate, default_convert

Point = namedtuple("Point", ["x", "y"])


def _plain(obj):
    """Tensors (ours or torch's) as (dtype name, nested lists), containers kept, to compare
    the two frameworks' batches.
    """
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and not isinstance(obj, np.ndarray):
        return str(obj.dtype).split(".")[-1], obj.tolist()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj).__name__, [_plain(v) for v in obj]
    if isinstance(obj, (list, tuple)):
        return type(obj).__name__, [_plain(v) for v in obj]
    return obj


def _samples(fw):
    """The same batches built with tensorweave or torch tensors."""
    return [
        [fw.tensor([1.0, 2.0]), fw.tensor([3.0, 4.0])],
        [(fw.tensor([1, 2]), 0), (fw.tensor([3, 4]), 1)],
        [{"img": np.ones((2, 2), np.float32), "label": 3, "name": "a"},
         {"img": np.zeros((2, 2), np.float32), "label": 4, "name": "b"}],
        [Point(1.5, np.int16(2)), Point(2.5, np.int16(3))],
        [[1, True], [2, False]],
        [np.float32(0.5), np.float32(1.5)],
        [np.array([1, 2], np.uint8), np.array([3, 4], np.uint8)],
        [b"x", b"y"],
    ]


def test_default_collate_structure_matches_torch():
    """Every kind of sample collates to torch's structure, dtypes and values."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    for ours, theirs in zip(_samples(tw), _samples(torch)):
        assert _plain(default_collate(ours)) == _plain(torch_collate(theirs))


def test_default_collate_hand_computed():
    """Tuples become lists of stacked fields; floats become float64, ints int64."""
    out = default_collate([(tw.tensor([1, 2]), 0.5, "a"), (tw.tensor([3, 4]), 1.5, "b")])
    assert isinstance(out, list) and out[0].tolist() == [[1, 2], [3, 4]]
    assert out[1].dtype is tw.float64 and out[1].tolist() == [0.5, 1.5]
    assert out[2] == ["a", "b"]
    assert default_collate([3, 4]).dtype is tw.int64
    p = default_collate([Point(1, 2), Point(3, 4)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3] and p.y.tolist() == [2, 4]


def test_collate_error_names_item_and_shape():
    """A tensor of another shape is reported by its batch position, field and both shapes."""
    batch = [(tw.ones(3), 1), (tw.ones(3), 2), (tw.ones(2), 3)]
    with pytest.raises(CollateError) as info:
        default_collate(batch)
    e = info.value
    assert e.index == 2 and e.path == "[0]"
    assert "batch item 2 at [0] is a tensorweave.float32 tensor of shape [2]" in str(e)
    assert "item 0 at [0] is a tensorweave.float32 tensor of shape [3]" in str(e)
    assert isinstance(e, RuntimeError) and isinstance(e, TypeError)


def test_collate_error_names_type_and_key():
    """Different types or dict keys are named too."""
    with pytest.raises(CollateError, match=r"batch item 1 at \['label'\] is a str but item 0 "
                                           r"at \['label'\] is a int \(1\)"):
        default_collate([{"label": 1}, {"label": "one"}])
    with pytest.raises(CollateError, match=r"batch item 1 is a dict with keys \['a', 'b'\] but "
                                           r"item 0 is a dict with keys \['a'\]"):
        default_collate([{"a": 1}, {"a": 2, "b": 3}])
    with pytest.raises(CollateError, match="batch item 1 is a list of length 1 but item 0 is a "
                                           "list of length 2"):
        default_collate([[1, 2], [3]])


def test_collate_rejects_unbatchable_types():
    """Objects and object arrays raise PyTorch's TypeError text."""
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found object"):
        default_collate([np.array([None]), np.array([None])])


def test_default_convert_turns_arrays_into_tensors():
    """Arrays and NumPy scalars become tensors; tuples become lists; the rest stays."""
    out = default_convert((np.arange(3), {"k": np.float32(2)}, "s", 5))
    assert isinstance(out, list) and out[0].tolist() == [0, 1, 2]
    assert out[1]["k"].dtype is tw.float32 and out[2:] == ["s", 5]
