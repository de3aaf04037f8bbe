"""Randomness: generators, seeding, and the random ops.

Every device has a default generator, held by its backend (`Backend.manual_seed`,
`get_rng_state`...). A `Generator` object is either such a default (what
`manual_seed` returns) or an independent stream created by the backend
(``Generator(device="cpu")``); random ops take ``generator=`` and pass its
backend-native generator to the kernel as the ``generator`` param (None: the
device's default).

The primitives are ``rand`` (uniform [0, 1)), ``randn``, ``randint``,
``randperm`` and ``multinomial``; ``normal`` and ``bernoulli`` are composites,
and the in-place ``Tensor.uniform_``, ``normal_``, ``bernoulli_``, ``random_``,
``exponential_``, ``cauchy_``, ``log_normal_`` and ``geometric_`` are written over
them. Random ops are not differentiable.
Their conformance entries check statistics, ranges and reproducibility (see
`conformance.runner.check_random`), since values cannot match a reference.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from typing import Any, Iterator

import numpy as np

from . import dtypes as D
from .autograd.grad_mode import no_grad
from .conformance import samples as S
from .conformance.runner import Dist
from .device import device as Device
from .device import resolve
from .layouts import factory, preserve_format
from .ops._opdef import COMPOSITE, PRIMITIVE, defop
from .ops._rules import broadcast_shapes
from .ops.creation import factory_size, full, like, scalar_tensor
from .ops.inplace import commit
from .tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm", "normal",
           "bernoulli", "multinomial", "rand_like", "randn_like", "randint_like"]

# PyTorch's seed of a new `Generator` (c10::default_rng_seed_val).
DEFAULT_SEED = 67280421310721
_U64 = 1 << 64


def _seed_arg(op: str, seed: Any) -> int:
    """PyTorch's seed rule: any int in [-2**63, 2**64); negatives wrap modulo 2**64."""
    try:
        s = int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: seed must be an int; got {type(seed).__name__}") from None
    if not -(1 << 63) <= s < _U64:
        raise RuntimeError(f"{op}: seed must be in [-2**63, 2**64 - 1]; got {s}")
    return s % _U64


def _nondeterministic_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """A stream of random numbers on one device, like `torch.Generator`.

    Pass it as ``generator=`` to random ops for a stream independent of the device's
    default one. A new generator starts from seed 67280421310721, as PyTorch's.

    Args:
        device: the device whose kernels draw from it (default ``"cpu"``).

    Example:
        >>> import tensorweave as tw
        >>> g = tw.Generator().manual_seed(0)
        >>> a = tw.rand(3, generator=g)
        >>> bool((a == tw.rand(3, generator=g.manual_seed(0))).all())
        True
    """

    def __init__(self, device: Any = "cpu") -> None:
        self.device, self._backend = resolve(device)
        self._native: Any = self._backend.new_generator(self.device.index, DEFAULT_SEED)
        self._initial_seed = DEFAULT_SEED

    @classmethod
    def _default(cls, dev: Device, be: Any) -> Generator:
        """The handle of ``dev``'s default generator (kept by the backend)."""
        g = cls.__new__(cls)
        g.device, g._backend, g._native, g._initial_seed = dev, be, None, None
        return g

    def manual_seed(self, seed: int) -> Generator:
        """Reseed (a default generator: every device of its type); returns ``self``."""
        s = _seed_arg("manual_seed", seed)
        if self._native is None:
            self._backend.manual_seed(s)
        else:
            self._native = self._backend.new_generator(self.device.index, s)
            self._initial_seed = s
        return self

    def seed(self) -> int:
        """Reseed from a nondeterministic source; returns the new seed."""
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        if self._native is None:
            return int(self._backend.initial_seed(self.device.index))
        return self._initial_seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 cpu tensor (restore it with `set_state`)."""
        if self._native is None:
            state = self._backend.get_rng_state(self.device.index)
        else:
            state = self._backend.generator_state(self._native)
        raw = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
        return Tensor._from_value(raw, "cpu", D.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from `get_state`; returns ``self``.

        Raises:
            TypeError: if ``new_state`` is not a uint8 tensor.
            RuntimeError: if it is not a state of this kind of generator.
        """
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            got = (f"a {new_state.dtype!r} tensor" if isinstance(new_state, Tensor)
                   else type(new_state).__name__)
            raise TypeError(f"set_state: RNG state must be a tensorweave.uint8 tensor (from "
                            f"get_state()); got {got}")
        try:
            state = json.loads(np.asarray(new_state.detach()._host(), np.uint8).tobytes())
            if self._native is None:
                self._backend.set_rng_state(self.device.index, state)
            else:
                self._backend.set_generator_state(self._native, state)
        except (ValueError, TypeError, KeyError) as e:
            raise RuntimeError(f"set_state: not a valid RNG state for a {self.device.type!r} "
                               f"generator ({e})") from None
        return self

    def __repr__(self) -> str:
        kind = "default " if self._native is None else ""
        return f"<tensorweave.Generator ({kind}device='{self.device}')>"


def default_generator(device: Any = "cpu") -> Generator:
    """A handle of ``device``'s default generator (made per call: the backend holds the state,
    and a reloaded plugin registry brings new backend objects).
    """
    dev, be = resolve(device)
    return Generator._default(dev, be)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator of every device of every available backend.

    Returns:
        The cpu default `Generator`.

    Raises:
        TypeError: for a seed that is not an int.
        RuntimeError: for a seed outside [-2**63, 2**64).

    Example:
        >>> import tensorweave as tw
        >>> _ = tw.manual_seed(0)
        >>> a = tw.rand(2)
        >>> _ = tw.manual_seed(0)
        >>> bool((a == tw.rand(2)).all())
        True
    """
    from .plugin.manager import get_registry

    s = _seed_arg("manual_seed", seed)
    for be in get_registry().backends.values():
        if be.availability()[0]:
            be.manual_seed(s)
    return default_generator("cpu")


def seed() -> int:
    """Seed every backend's default generators from a nondeterministic source.

    Returns:
        The seed used.
    """
    s = _nondeterministic_seed()
    manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed of the cpu default generator (random at startup, as in PyTorch)."""
    return default_generator("cpu").initial_seed()


def get_rng_state() -> Tensor:
    """The cpu default generator's state as a uint8 tensor."""
    return default_generator("cpu").get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the cpu default generator's state from `get_rng_state`."""
    default_generator("cpu").set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None) -> Iterator[None]:
    """Run a block with the random state forked, as ``torch.random.fork_rng``: on exit the
    cpu default generator and those of ``devices`` get back the states they had on entry,
    so the block's draws leave no trace on the streams outside it.

    Args:
        devices: the devices (strings, indices of ``device_type`` or `device` objects) whose
            generators are forked besides the cpu's; None: every device of ``device_type``
            that is available.
        enabled: False runs the block without forking.
        device_type: the device type of integer ``devices`` and of the default (None:
            ``"cuda"``, as in PyTorch). ``_caller`` and ``_devices_kw`` are PyTorch's
            private arguments, accepted and unused.
    """
    if not enabled:
        yield
        return
    device_type = device_type or "cuda"
    if devices is None:
        from .device_module import DeviceModule

        module = DeviceModule(device_type)
        devices = range(module.device_count()) if module.is_available() else ()
    gens = [default_generator("cpu")]
    gens += [default_generator(f"{device_type}:{d}" if isinstance(d, int) else d) for d in devices]
    states = [g.get_state() for g in gens]
    try:
        yield
    finally:
        for g, state in zip(gens, states):
            g.set_state(state)


# -- argument helpers -----------------------------------------------------------------------------


def _native(op: str, generator: Any, dev: Device) -> Any:
    """The backend-native generator a kernel draws from (None: the device's default)."""
    if generator is None:
        return None
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}: generator must be a tensorweave.Generator; got "
                        f"{type(generator).__name__}")
    if generator.device != dev:
        raise RuntimeError(f"{op}: Expected a '{dev}' generator for a tensor on '{dev}' but "
                           f"found a '{generator.device}' one. Create it with "
                           f"tensorweave.Generator(device='{dev}').")
    return generator._native


def _float_dtype(op: str, dtype: Any, complex_ok: bool = False) -> D.dtype:
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or (complex_ok and dt.is_complex)):
        raise RuntimeError(f"{op}: not implemented for {dt!r}; random floats need a floating "
                           "dtype (float16, float32 or float64)"
                           + (" or a complex one" if complex_ok else ""))
    return dt


def _parts(draw: Any, shape: tuple[int, ...], dt: D.dtype, scale: float = 1.0,
           shift: float = 0.0, **kwargs: Any) -> Tensor:
    """A complex tensor whose real and imaginary parts are independent draws of ``draw``
    (a real factory), each scaled by ``scale`` and shifted by ``shift``: PyTorch's complex
    rand, randn, uniform_ and normal_."""
    from .ops.complex_numbers import view_as_complex

    parts = draw(*shape, 2, dtype=dt.to_real(), **kwargs)
    return view_as_complex(parts * scale + shift if scale != 1.0 or shift else parts)


def _int_bounds(dt: D.dtype) -> tuple[int, int]:
    """The integers ``dt`` holds exactly (floats: up to 2**digits, as PyTorch's random_)."""
    if dt is D.bool:
        return 0, 1
    if dt.is_floating_point:
        m = 1 << (np.finfo(dt.np).nmant + 1)
        return -m, m
    info = np.iinfo(dt.np)
    return int(info.min), int(info.max)


def _finish(out: Tensor, requires_grad: bool) -> Tensor:
    return out.requires_grad_(True) if requires_grad else out


def _size_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput(((200, 250),), {"dtype": dt}, name="200x250")
    yield S.SampleInput(((),), {"dtype": dt}, name="0-d")
    yield S.SampleInput(((0, 3),), {"dtype": dt}, name="empty")


def _is_integral(x: np.ndarray) -> str:
    return "" if np.all(x == np.round(x)) else "non-integer values"


# -- primitives -----------------------------------------------------------------------------------


@defop(PRIMITIVE, method=False, differentiable=False, random=True, dtypes=D.FLOATING,
       bfloat16_native=True,  # float32 draws could round up to 1.0
       ref=lambda size, dtype: Dist(size, dtype, mean=0.5, var=1 / 12, low=0.0, high=1.0,
                                    check=lambda x: "" if x.max() < 1 else "a value of 1.0"),
       samples=_size_samples)
@factory
def rand(*args: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1) (default dtype float32).

    A complex dtype draws the real and imaginary parts so.

    Raises:
        RuntimeError: for an integer or bool dtype.

    Example:
        >>> import tensorweave as tw
        >>> tw.rand(2, 3).shape
        tensorweave.Size([2, 3])
    """
    dev, _ = resolve(device)
    dt, shape = _float_dtype("rand", dtype, complex_ok=True), factory_size("rand", args, size)
    if dt.is_complex:
        return _finish(_parts(rand, shape, dt, generator=generator, device=dev), requires_grad)
    out = rand.bind(size=shape, dtype=dt, device=dev, generator=_native("rand", generator, dev))
    return _finish(out, requires_grad)


@defop(PRIMITIVE, method=False, differentiable=False, random=True, dtypes=D.FLOATING,
       ref=lambda size, dtype: Dist(size, dtype, mean=0.0, var=1.0), samples=_size_samples)
@factory
def randn(*args: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, variance 1; default dtype float32).

    A complex dtype draws each part with variance 1/2, as PyTorch (so ``E|z|^2 = 1``).

    Raises:
        RuntimeError: for an integer or bool dtype.
    """
    dev, _ = resolve(device)
    dt, shape = _float_dtype("randn", dtype, complex_ok=True), factory_size("randn", args, size)
    if dt.is_complex:
        return _finish(_parts(randn, shape, dt, math.sqrt(0.5), generator=generator,
                              device=dev), requires_grad)
    out = randn.bind(size=shape, dtype=dt, device=dev,
                     generator=_native("randn", generator, dev))
    return _finish(out, requires_grad)


def _randint_ref(low: int, high: int, size: Any, dtype: Any) -> Dist:
    return Dist(tuple(size), dtype, mean=(low + high - 1) / 2, var=((high - low) ** 2 - 1) / 12,
                low=low, high=high - 1, check=_is_integral)


def _randint_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    lo = 0 if dt in (D.uint8, D.bool) else -3
    yield S.SampleInput((lo, lo + 10, (40, 50)), {"dtype": dt}, name="40x50")
    yield S.SampleInput((lo, lo + 2, ()), {"dtype": dt}, name="0-d")
    yield S.SampleInput((lo, lo + 1, (30, 40)), {"dtype": dt}, name="one-value")
    yield S.SampleInput((lo, lo + 5, (0,)), {"dtype": dt}, name="empty")


def _randint_bounds(op: str, low: Any, high: Any, dt: D.dtype) -> tuple[int, int]:
    for name, v in (("low", low), ("high", high)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{op}: {name} must be an int; got {v!r}")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"{op}: expects 'low' to be less than 'high', but got low={low} >= "
                           f"high={high}")
    lo, hi = _int_bounds(dt)
    if low < lo or high - 1 > hi:
        raise RuntimeError(f"{op}: the range [{low}, {high}) does not fit in {dt!r}, which "
                           f"holds [{lo}, {hi}]")
    return low, high


@defop(PRIMITIVE, method=False, differentiable=False, random=True,
       dtypes=tuple(d for d in D.ALL if d is not D.bool), ref=_randint_ref,
       samples=_randint_samples)
@factory
def randint(low: Any, high: Any = None, size: Any = None, *, generator: Generator | None = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers uniform in [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise.

    Raises:
        RuntimeError: if ``low >= high`` or the range does not fit ``dtype``.
        TypeError: if ``size`` is missing.

    Example:
        >>> import tensorweave as tw
        >>> x = tw.randint(3, 10, (4,))
        >>> bool(((x >= 3) & (x < 10)).all())
        True
    """
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: missing the size argument: call randint(high, size) or "
                            "randint(low, high, size) with size a tuple such as (2, 3)")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    low, high = _randint_bounds("randint", low, high, dt)
    dev, _ = resolve(device)
    out = randint.bind(low=low, high=high, size=factory_size("randint", (size,)), dtype=dt,
                       device=dev, generator=_native("randint", generator, dev))
    return _finish(out, requires_grad)


def _randperm_ref(n: int, dtype: Any) -> Dist:
    def is_perm(x: np.ndarray) -> str:
        return "" if np.array_equal(np.sort(x), np.arange(n)) else "not a permutation of 0..n-1"

    return Dist((n,), dtype, mean=(n - 1) / 2, var=(n * n - 1) / 12, low=0, high=n - 1,
                check=is_perm)


@defop(PRIMITIVE, method=False, differentiable=False, random=True,
       dtypes=(D.int16, D.int32, D.int64, D.float16, D.float32, D.float64), ref=_randperm_ref,
       samples=lambda dt, rng: [S.SampleInput((1500,), {"dtype": dt}, name="1500"),
                                S.SampleInput((1,), {"dtype": dt}, name="one"),
                                S.SampleInput((0,), {"dtype": dt}, name="empty")])
@factory
def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise).

    Raises:
        RuntimeError: for a negative ``n`` or one too large for ``dtype``.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"randperm: n must be an int; got {type(n).__name__}")
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative; got {n}")
    if n - 1 > _int_bounds(dt)[1]:
        raise RuntimeError(f"randperm: n is too large for result tensor type {dt!r}; got n={n}")
    dev, _ = resolve(device)
    out = randperm.bind(n=int(n), dtype=dt, device=dev,
                        generator=_native("randperm", generator, dev))
    return _finish(out, requires_grad)


def _multinomial_ref(p: np.ndarray, num_samples: int, replacement: bool = False) -> Dist:
    probs = p / p.sum(axis=-1, keepdims=True)
    shape = (*p.shape[:-1], num_samples)
    k = np.arange(p.shape[-1], dtype=np.float64)
    if replacement:
        mean = (probs * k).sum(-1, keepdims=True)
        var = (probs * k * k).sum(-1, keepdims=True) - mean ** 2
        return Dist(shape, D.int64, mean=mean, var=var, low=0, high=p.shape[-1] - 1,
                    check=_is_integral)

    def distinct_and_possible(x: np.ndarray) -> str:
        rows, pr = x.reshape(-1, num_samples).astype(np.int64), p.reshape(-1, p.shape[-1])
        for r, pp in zip(rows, pr):
            if len(set(r.tolist())) != len(r):
                return "a category drawn twice without replacement"
            if np.any(pp[r] == 0):
                return "a zero-probability category was drawn"
        return ""

    return Dist(shape, D.int64, low=0, high=p.shape[-1] - 1, check=distinct_and_possible)


def _multinomial_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    w = S.make(rng, (3, 5), dt, 0.2, 2.0)
    yield S.SampleInput((S.Arg(w), 1000, True), name="replacement")
    yield S.SampleInput((S.Arg(S.make(rng, (6,), dt, 0.2, 2.0), noncontig=True), 1500, True),
                        name="1-d noncontiguous")
    zeros = w.copy()
    zeros[:, 1] = 0
    yield S.SampleInput((S.Arg(zeros), 4), name="no-replacement")
    yield S.SampleInput((S.Arg(S.make(rng, (5,), dt, 0.2, 2.0)), 5), name="all-categories")


@defop(PRIMITIVE, differentiable=False, random=True, dtypes=D.FLOATING, ref=_multinomial_ref,
       samples=_multinomial_samples)
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """Draw category indices from the (unnormalized) probabilities in each row of ``input``.

    Args:
        input: 1-D or 2-D non-negative weights (each row needs a positive sum).
        num_samples: draws per row.
        replacement: draw with replacement (else each row's draws are distinct).
        generator: the stream to draw from (default: the device's).

    Returns:
        An int64 tensor of shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Raises:
        RuntimeError: for a bad dimension, negative/non-finite weights, a zero row, or more
            draws than possible categories without replacement.
    """
    op = "multinomial"
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op}: only floating point probabilities are supported; got "
                           f"{input.dtype!r}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"{op}: prob_dist must be 1 or 2 dim; got {input.ndim} dims")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise RuntimeError(f"{op}: cannot sample n_sample <= 0 samples; got {num_samples}")
    w = np.asarray(input.detach()._host(), dtype=np.float64).reshape(-1, input.shape[-1])
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise RuntimeError(f"{op}: probability tensor contains either `inf`, `nan` or element "
                           "< 0")
    if np.any(w.sum(axis=1) <= 0):
        raise RuntimeError(f"{op}: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement:
        if num_samples > input.shape[-1]:
            raise RuntimeError(f"{op}: cannot sample n_sample > prob_dist.size(-1) samples "
                               f"without replacement; got {num_samples} > {input.shape[-1]}")
        if np.any((w > 0).sum(axis=1) < num_samples):
            raise RuntimeError(f"{op}: invalid multinomial distribution (with "
                               "replacement=False, not enough non-negative category to sample)")
    return multinomial.bind(input, num_samples=int(num_samples), replacement=bool(replacement),
                            generator=_native(op, generator, input.device))


# -- composites -----------------------------------------------------------------------------------


def _normal_decomp(mean: Tensor, std: Tensor, generator: Any) -> Tensor:
    with no_grad():  # not differentiable, as PyTorch (its gradients are zero)
        shape = broadcast_shapes("normal", mean.shape, std.shape)
        z = randn.bind(size=shape, dtype=mean.dtype, device=mean.device, generator=generator)
        return z * std + mean


def _normal_ref(mean: Any, std: Any = 1.0, size: Any = None, dtype: Any = None) -> Dist:
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(mean),
                                                                    np.shape(std))
    dt = D.to_dtype(dtype) if dtype is not None else next(
        D.from_numpy_dtype(a.dtype) for a in (mean, std) if isinstance(a, np.ndarray))
    return Dist(shape, dt, mean=mean, var=np.square(std))


def _normal_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    def m(shape: tuple[int, ...], lo: float = -3.0, hi: float = 3.0,
          noncontig: bool = False) -> S.Arg:
        return S.Arg(S.make(rng, shape, dt, lo, hi), noncontig=noncontig)

    yield S.SampleInput((m((40, 50)), m((40, 50), 0.5, 2.0)), name="tensors")
    yield S.SampleInput((m((40, 1)), m((60,), 0.5, 2.0, noncontig=True)), name="broadcast")
    yield S.SampleInput((m((50, 40)), 2.0), name="tensor-float")
    yield S.SampleInput((1.5, m((50, 40), 0.5, 2.0)), name="float-tensor")
    yield S.SampleInput((0.5, 2.0, (40, 50)), {"dtype": dt}, name="floats+size")
    yield S.SampleInput((m(()), m((), 0.5, 2.0)), name="0-d")
    yield S.SampleInput((m((0, 3)), 1.0), name="empty")


@defop(COMPOSITE, decomp=_normal_decomp, method=False, differentiable=False, random=True,
       dtypes=D.FLOATING, ref=_normal_ref, samples=_normal_samples)
@factory
def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal random numbers with the given means and standard deviations.

    Forms: ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)`` and ``normal(mean, std, size)`` with numbers.

    Raises:
        RuntimeError: for a negative std, or integer tensors.
        TypeError: for two numbers without ``size``.

    Example:
        >>> import tensorweave as tw
        >>> tw.normal(2.0, 0.0, (2,))
        tensor([2., 2.])
    """
    op = "normal"
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    for name, x in (("mean", mean), ("std", std)):
        if not isinstance(x, (Tensor, int, float, np.integer, np.floating)) or \
                isinstance(x, bool):
            raise TypeError(f"{op}: {name} must be a tensor or a number; got "
                            f"{type(x).__name__}")
    if isinstance(std, Tensor):
        if std.numel() and bool((std < 0).any()):
            raise RuntimeError(f"{op}: normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"{op}: normal expects std >= 0.0, but found std {std}")
    if not tensors:
        if size is None:
            raise TypeError(f"{op}: with a number mean and std, pass size= (e.g. "
                            "normal(0.0, 1.0, (2, 3)))")
        dt = _float_dtype(op, dtype, complex_ok=True)
        with no_grad():
            if dt.is_complex:  # PyTorch adds the mean to both parts
                out = _parts(randn, tuple(size), dt, std * math.sqrt(0.5), mean,
                             generator=generator, device=device)
            else:
                out = randn(size, generator=generator, dtype=dt, device=device) * std + mean
        return _finish(out, requires_grad)
    if size is not None:
        raise TypeError(f"{op}: size= is only accepted when mean and std are numbers")
    dt = D.result_type(*tensors)
    if not dt.is_floating_point:
        raise RuntimeError(f"{op}: expects floating point mean and std; got {dt!r}")
    dev = tensors[0].device
    mean_t, std_t = (x.to(dt) if isinstance(x, Tensor) else scalar_tensor(float(x), dev, dt)
                     for x in (mean, std))
    return normal.bind(mean_t, std_t, generator=_native(op, generator, dev))


def _bernoulli_decomp(p: Tensor, generator: Any) -> Tensor:
    with no_grad():
        u = rand.bind(size=tuple(p.shape), dtype=p.dtype, device=p.device, generator=generator)
        return (u < p).to(p.dtype)


def _bernoulli_ref(p: np.ndarray, q: Any = None) -> Dist:
    pr = p if q is None else np.full(p.shape, q)
    return Dist(p.shape, D.from_numpy_dtype(p.dtype), mean=pr, var=pr * (1 - pr), low=0, high=1,
                check=_is_integral)


def _bernoulli_samples(dt: D.dtype, rng: np.random.Generator) -> Any:
    yield S.SampleInput((S.Arg(S.make(rng, (40, 50), dt, 0.1, 0.9)),), name="40x50")
    yield S.SampleInput((S.Arg(S.make(rng, (50, 40), dt, 0.1, 0.9), noncontig=True),),
                        name="noncontiguous")
    yield S.SampleInput((S.Arg(S.make(rng, (30, 40), dt)), 0.25), name="p=0.25")
    yield S.SampleInput((S.Arg(np.array([0.0, 1.0, 1.0, 0.0], dtype=dt.np)),), name="certain")
    yield S.SampleInput((S.Arg(S.make(rng, (), dt, 0.1, 0.9)),), name="0-d")
    yield S.SampleInput((S.Arg(S.make(rng, (0, 3), dt)),), name="empty")


def _check_probability(op: str, p: Any) -> None:
    if isinstance(p, Tensor):
        ok = p.numel() == 0 or bool(((p >= 0) & (p <= 1)).all())
    else:
        ok = 0 <= p <= 1
    if not ok:
        raise RuntimeError(f"{op}: expects 0 <= p <= 1 for every probability; got values "
                           "outside [0, 1]")


@defop(COMPOSITE, decomp=_bernoulli_decomp, differentiable=False, random=True,
       dtypes=D.FLOATING, ref=_bernoulli_ref, samples=_bernoulli_samples)
def bernoulli(input: Tensor, p: float | None = None, *,  # noqa: A002
              generator: Generator | None = None) -> Tensor:
    """0/1 draws: element ``i`` is 1 with probability ``input[i]`` (or ``p`` when given).

    The result has ``input``'s shape and dtype.

    Raises:
        RuntimeError: for probabilities outside [0, 1] or a non-floating ``input``.
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"bernoulli: expects a floating point input; got {input.dtype!r}")
    probs = input if p is None else full(tuple(input.shape), p, dtype=input.dtype,
                                         device=input.device)
    _check_probability("bernoulli", probs)
    return bernoulli.bind(probs, generator=_native("bernoulli", generator, input.device))


# -- *_like ---------------------------------------------------------------------------------------


@factory
def rand_like(input: Tensor, *, generator: Generator | None = None,  # noqa: A002
              dtype: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = preserve_format) -> Tensor:
    """`rand` with ``input``'s shape (and dtype, device and memory order unless given)."""
    return like("rand_like", input, lambda s, **kw: rand(s, generator=generator, **kw), dtype,
                device, requires_grad, memory_format)


@factory
def randn_like(input: Tensor, *, generator: Generator | None = None,  # noqa: A002
               dtype: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = preserve_format) -> Tensor:
    """`randn` with ``input``'s shape (and dtype, device and memory order unless given)."""
    return like("randn_like", input, lambda s, **kw: randn(s, generator=generator, **kw),
                dtype, device, requires_grad, memory_format)


@factory
def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,  # noqa: A002
                 generator: Generator | None = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, memory_format: Any = preserve_format) -> Tensor:
    """`randint` with ``input``'s shape: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``.
    """
    if high is None:
        low, high = 0, low
    return like("randint_like", input,
                lambda s, **kw: randint(low, high, s, generator=generator, **kw), dtype, device,
                requires_grad, memory_format)


# -- in-place Tensor methods ----------------------------------------------------------------------


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: Generator | None = None) -> Tensor:
    """Fill with uniform random numbers in [from_, to) (both parts of a complex tensor);
    returns ``self``.

    Raises:
        RuntimeError: if ``from_ > to`` or the tensor is integral.
    """
    dt = _float_dtype("uniform_", self.dtype, complex_ok=True)
    if from_ > to:
        raise RuntimeError(f"uniform_: expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    with no_grad():
        if dt.is_complex:
            out = _parts(rand, tuple(self.shape), dt, to - from_, from_, generator=generator,
                         device=self.device)
        else:
            u = rand(tuple(self.shape), generator=generator, dtype=dt, device=self.device)
            out = u * (to - from_) + from_
    return commit(self, out, "uniform_")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with normal random numbers; returns ``self``. A complex tensor gets ``mean`` plus
    ``std / sqrt(2)`` times a standard normal in each part, as in PyTorch.

    Raises:
        RuntimeError: for a negative ``std`` or an integral tensor.
    """
    dt = _float_dtype("normal_", self.dtype, complex_ok=True)
    if std < 0:
        raise RuntimeError(f"normal_: normal expects std >= 0.0, but found std {std}")
    with no_grad():
        if dt.is_complex:
            out = _parts(randn, tuple(self.shape), dt, std * math.sqrt(0.5), mean,
                         generator=generator, device=self.device)
        else:
            z = randn(tuple(self.shape), generator=generator, dtype=dt, device=self.device)
            out = z * std + mean
    return commit(self, out, "normal_")


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill with 0/1 draws, 1 with probability ``p`` (a number or a broadcastable tensor).

    Raises:
        RuntimeError: for probabilities outside [0, 1].
    """
    fdt = self.dtype if self.dtype.is_floating_point else D.get_default_dtype()
    if isinstance(p, Tensor):
        probs = p.to(fdt if not p.dtype.is_floating_point else p.dtype).expand(self.shape)
    else:
        probs = full(tuple(self.shape), p, dtype=fdt, device=self.device)
    _check_probability("bernoulli_", probs)
    with no_grad():
        out = bernoulli.bind(probs, generator=_native("bernoulli_", generator, self.device))
    return commit(self, out.to(self.dtype), "bernoulli_")


def random_(self: Tensor, *bounds: Any, generator: Generator | None = None) -> Tensor:
    """Fill with random integers: ``random_()`` over [0, the dtype's largest exact integer],
    ``random_(to)`` over [0, to), ``random_(from, to)`` over [from, to).

    Raises:
        RuntimeError: for an empty range or one the dtype cannot hold.
        TypeError: for more than two bounds.
    """
    if len(bounds) > 2:
        raise TypeError(f"random_: expected at most 2 bounds (from, to); got {len(bounds)}")
    top = _int_bounds(self.dtype)[1] + 1
    low, high = ((0, top) if not bounds else (0, bounds[0]) if len(bounds) == 1
                 else (bounds[0], top if bounds[1] is None else bounds[1]))
    low, high = _randint_bounds("random_", low, high, self.dtype)
    with no_grad():
        out = randint.bind(low=low, high=high, size=tuple(self.shape), dtype=self.dtype,
                           device=self.device,
                           generator=_native("random_", generator, self.device))
    return commit(self, out, "random_")


def exponential_(self: Tensor, lambd: float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
    """Fill with exponential random numbers of rate ``lambd`` (mean ``1 / lambd``).

    Raises:
        RuntimeError: for ``lambd <= 0`` or a non-floating tensor.
    """
    dt = _float_dtype("exponential_", self.dtype)
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={lambd}")
    with no_grad():
        u = rand(tuple(self.shape), generator=generator, dtype=dt, device=self.device)
        out = (1 / (1 - u)).log() / lambd  # -log(1 - u) without a -0.0 at u = 0
    return commit(self, out, "exponential_")


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with Cauchy random numbers, ``median + sigma * tan(pi * (u - 1/2))`` for ``u``
    uniform in [0, 1) (PyTorch's transformation); returns ``self``.

    Raises:
        RuntimeError: for ``sigma <= 0`` or a non-floating tensor (PyTorch's messages).
    """
    if not self.dtype.is_floating_point:
        raise RuntimeError(f"cauchy_: Cauchy distribution is a continuous probability "
                           f"distribution. dtype must be a floating point but you specified "
                           f"{self.dtype.name}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    with no_grad():
        u = rand(tuple(self.shape), generator=generator, dtype=self.dtype, device=self.device)
        out = ((u - 0.5) * np.pi).tan() * sigma + median
    return commit(self, out, "cauchy_")


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Generator | None = None) -> Tensor:
    """Fill with log-normal random numbers: ``exp`` of normal ones of mean ``mean`` and
    standard deviation ``std`` (the parameters of the underlying normal, as PyTorch);
    returns ``self``.

    Raises:
        RuntimeError: for ``std <= 0`` or a non-floating tensor.
    """
    dt = _float_dtype("log_normal_", self.dtype)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    with no_grad():
        z = randn(tuple(self.shape), generator=generator, dtype=dt, device=self.device)
        out = (z * std + mean).exp()
    return commit(self, out, "log_normal_")


def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with geometric random numbers: the number of Bernoulli(``p``) trials up to the
    first success, ``P(X = k) = (1 - p)**(k - 1) p`` for k = 1, 2, ...; integer tensors
    too, as PyTorch. Returns ``self``.

    Raises:
        RuntimeError: for ``p`` outside (0, 1) or a bool tensor.
    """
    if self.dtype is D.bool:
        raise RuntimeError("geometric_: not implemented for tensorweave.bool; fill an integer "
                           "or floating tensor and convert it")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    dt = self.dtype if self.dtype.is_floating_point else D.float64
    with no_grad():
        u = rand(tuple(self.shape), generator=generator, dtype=dt, device=self.device)
        # ceil(log(v) / log(1 - p)) for v = 1 - u in (0, 1]; v = 1 would give 0, outside the
        # support, so the result is at least 1.
        k = ((1 - u).log() / float(np.log1p(-p))).ceil()
        out = k.clamp(min=1).to(self.dtype)
    return commit(self, out, "geometric_")


# Tensor-only methods (PyTorch has no torch.uniform_...), so they are not in __all__.
for _fn in (uniform_, normal_, bernoulli_, random_, exponential_, cauchy_, log_normal_,
            geometric_):
    setattr(Tensor, _fn.__name__, _fn)
del _fn
