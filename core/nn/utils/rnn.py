"""Variable-length sequences, as `torch.nn.utils.rnn`: padding, and packing into a
`PackedSequence` that the recurrent layers (`nn.RNN`, `nn.LSTM`, `nn.GRU`) run without
stepping through the padding.

A packed batch stores the sequences time-major with the longest first: ``data`` holds, for
each time step ``t``, the rows of the ``batch_sizes[t]`` sequences still running, so it has
``sum(lengths)`` rows. Packing and unpacking are indexing and concatenation, so gradients
flow through them on every backend.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ... import dtypes as D
from ...ops.creation import tensor
from ...ops.movement import cat, stack
from ...ops.reduction import argsort
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(NamedTuple):
    """A packed batch of sequences (see the module docstring). ``batch_sizes`` is an int64
    cpu tensor; ``sorted_indices`` orders the original batch longest first and
    ``unsorted_indices`` undoes it (both None when the batch came sorted)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with ``data`` moved/cast (``batch_sizes`` stays on cpu) and the
        index tensors on ``data``'s new device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = [None if t is None else t.to(data.device) for t in
                (self.sorted_indices, self.unsorted_indices)]
        return PackedSequence(data, self.batch_sizes, *move)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(D.float64)

    def float(self) -> PackedSequence:
        return self.to(D.float32)

    def half(self) -> PackedSequence:
        return self.to(D.float16)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    return argsort(permutation, stable=True)


def _lengths(lengths: Any) -> np.ndarray:
    """Sequence lengths on the host (they decide shapes, as PyTorch requires them on cpu)."""
    values = lengths.cpu().numpy() if isinstance(lengths, Tensor) else np.asarray(lengths)
    return values.astype(np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) whose sequence
    ``b`` has ``lengths[b]`` valid steps.

    Raises:
        RuntimeError: for a length that is not positive, more lengths than the batch, a
            length beyond ``T``, or unsorted lengths with ``enforce_sorted``.
    """
    n = _lengths(lengths)
    x = input.transpose(0, 1) if batch_first else input
    if n.shape[0] != x.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{n.shape[0]} (batch_size={x.shape[1]})")
    if n.size and n.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if n.size and n.max() > x.shape[0]:
        raise RuntimeError(f"pack_padded_sequence: a length of {n.max()} exceeds the "
                           f"{x.shape[0]} steps of the padded input")
    if enforce_sorted:
        if np.any(n[1:] > n[:-1]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-n, kind="stable")
        sorted_indices = tensor(order, device=x.device)
        n = n[order]
        x = x.index_select(1, sorted_indices)
    batch_sizes = (n[None, :] > np.arange(int(n[0]) if n.size else 0)[:, None]).sum(1)
    data = cat([x[t, :int(b)] for t, b in enumerate(batch_sizes)])
    return PackedSequence(data, tensor(batch_sizes, dtype=D.int64), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """The inverse of `pack_padded_sequence`: the padded batch (in the original order) and
    the int64 lengths.

    Raises:
        ValueError: for a ``total_length`` shorter than the longest sequence.
    """
    sizes = sequence.batch_sizes.cpu().numpy().astype(np.int64)
    steps, batch = sizes.shape[0], int(sizes[0]) if sizes.size else 0
    if total_length is not None and total_length < steps:
        raise ValueError(f"Expected total_length to be at least the length of the longest "
                         f"sequence in input, but got total_length={total_length} and max "
                         f"sequence length being {steps}")
    data = sequence.data
    rows, start = [], 0
    for b in sizes:
        step = data[start:start + int(b)]
        if b < batch:
            step = cat([step, data.new_full((batch - int(b), *data.shape[1:]), padding_value)])
        rows.append(step)
        start += int(b)
    length = steps if total_length is None else total_length
    if length > steps:
        rows += [data.new_full((batch, *data.shape[1:]), padding_value)] * (length - steps)
    padded = stack(rows)
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu().numpy()]
    return (padded.transpose(0, 1) if batch_first else padded,
            tensor(lengths, dtype=D.int64))


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(L_max, B, *)`` (``(B, L_max, *)``
    with ``batch_first``), padding each on ``padding_side`` with ``padding_value``.

    Raises:
        ValueError: for a ``padding_side`` other than ``"left"`` or ``"right"``.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    seqs = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        fill = s.new_full((longest - s.shape[0], *s.shape[1:]), padding_value)
        padded.append(cat([s, fill] if padding_side == "right" else [fill, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length (views)."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[b, :int(n)] for b, n in enumerate(_lengths(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of ``(L_i, *)`` sequences (longest first unless ``enforce_sorted`` is
    False): `pad_sequence` then `pack_padded_sequence`."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences packed in ``packed_sequences``, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
