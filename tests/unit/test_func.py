"""tensorweave.func against torch.func: gradients, Jacobians, Hessians, jvp/vjp and vmap,
in float64 on the same inputs, with their pytree structures and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorweave as tw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X, W, B = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)), RNG.standard_normal(2)


def _np(tree):
    """A tree of tensors (either framework) as nested lists/dicts of float64 arrays."""
    if isinstance(tree, (tuple, list)):
        return [_np(t) for t in tree]
    if isinstance(tree, dict):
        return {k: _np(v) for k, v in tree.items()}
    return np.asarray(tree.detach().numpy(), dtype=np.float64)


def _same(ours, theirs):
    _close(_np(ours), _np(theirs))


def _close(a, b):
    if isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    elif isinstance(b, dict):
        assert a.keys() == b.keys()
        for k in b:
            _close(a[k], b[k])
    else:
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def _both(build):
    return build(tw), build(torch)


def _loss(fw):
    def loss(w, x, b):
        return (fw.tanh(x @ w + b) ** 2).sum()
    return loss


def _args(fw):
    return fw.tensor(W), fw.tensor(X), fw.tensor(B)


@pytest.mark.parametrize("argnums", [0, 2, (0, 2), (-1,)])
def test_grad_argnums(argnums):
    ours, theirs = _both(lambda fw: fw.func.grad(_loss(fw), argnums=argnums)(*_args(fw)))
    _same(ours, theirs)


def test_grad_and_value_has_aux_and_pytree_arguments():
    def build(fw):
        def f(params, x):
            y = x @ params["w"] + params["b"]
            return (y ** 2).mean(), y.sum()
        w, x, b = _args(fw)
        return fw.func.grad_and_value(f, has_aux=True)({"w": w, "b": b}, x)
    ours, theirs = _both(build)
    (g, (value, aux)), (tg, (tvalue, taux)) = ours, theirs
    _same(g, tg)
    _same([value, aux], [tvalue, taux])
    assert g["w"].grad_fn is None and value.grad_fn is None


def test_nested_grad_and_a_graph_kept_for_inputs_that_require_grad():
    def build(fw):
        x = fw.tensor(0.7, dtype=fw.float64)
        third = fw.func.grad(fw.func.grad(fw.func.grad(lambda s: s.sin() * s ** 2)))(x)
        y = fw.tensor([0.3, -1.2], dtype=fw.float64, requires_grad=True)
        g = fw.func.grad(lambda v: (v ** 3).sum())(y)
        (outer,) = fw.autograd.grad(g.sum(), y)
        return [third, g, outer]
    ours, theirs = _both(build)
    _same(ours, theirs)


def test_grad_of_a_non_scalar_raises_torchs_error():
    messages = []
    for fw in (tw, torch):
        with pytest.raises(RuntimeError) as err:
            fw.func.grad(lambda v: v * 2)(fw.tensor([1.0, 2.0]))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_vjp_and_jvp():
    def build(fw):
        w, x, b = _args(fw)
        out, fn = fw.func.vjp(lambda w, b: (x @ w + b).exp(), w, b)
        pulled = fn(fw.ones_like(out) * 0.5)
        value, aux_fn, aux = fw.func.vjp(lambda w: ((w ** 2).sum(), w.mean()), w, has_aux=True)
        o, tangent = fw.func.jvp(lambda w, b: fw.sigmoid(x @ w + b), (w, b),
                                 (fw.ones_like(w), fw.ones_like(b) * 2))
        return [out, *pulled, value, aux, *aux_fn(fw.tensor(2.0, dtype=fw.float64)), o,
                tangent]
    ours, theirs = _both(build)
    _same(ours, theirs)


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobians_of_several_outputs_and_arguments(transform):
    def build(fw):
        w, x, b = _args(fw)
        jac = getattr(fw.func, transform)(lambda w, b: (fw.tanh(x @ w + b), (w * b).sum()),
                                          argnums=(0, 1))(w, b)
        return jac
    ours, theirs = _both(build)
    _same(ours, theirs)
    assert tuple(ours[0][0].shape) == (3, 2, 4, 2) and tuple(ours[1][1].shape) == (2,)


def test_hessian_matches_torch():
    def build(fw):
        w, x, b = _args(fw)
        return [fw.func.hessian(lambda v: (v.sin() * v.exp()).sum())(b),
                fw.func.hessian(lambda w: (fw.tanh(x @ w) ** 2).sum())(w)]
    ours, theirs = _both(build)
    _same(ours, theirs)
    assert tuple(ours[1].shape) == (4, 2, 4, 2)


def test_vmap_per_sample_gradients_and_dims():
    def build(fw):
        w, x, b = _args(fw)
        per_sample = fw.func.vmap(fw.func.grad(_loss(fw)), in_dims=(None, 0, None))(w, x, b)
        moved = fw.func.vmap(lambda col, s: col * s, in_dims=(1, None), out_dims=1)(x, b[0])
        pair = fw.func.vmap(lambda r: (r.sum(), r * 2), out_dims=(0, 1))(x)
        nested = fw.func.vmap(fw.func.vmap(lambda a, c: a * c, in_dims=(0, None)),
                              in_dims=(None, 0))(x[0], x[:, 1])
        kw = fw.func.vmap(lambda r, scale=1.0: r * scale)(x, scale=3.0)
        return [per_sample, moved, *pair, nested, kw]
    ours, theirs = _both(build)
    _same(ours, theirs)


def test_vmap_gradient_flows_through_the_batch():
    def build(fw):
        x = fw.tensor(X, requires_grad=True)
        out = fw.func.vmap(lambda r: (r.exp() * r).sum())(x)
        (g,) = fw.autograd.grad((out * fw.arange(3, dtype=fw.float64)).sum(), x)
        return [out, g]
    ours, theirs = _both(build)
    _same(ours, theirs)


@pytest.mark.parametrize("call", ["sizes", "unbatched", "in_dim-range"])
def test_vmap_errors(call):
    def run(fw):
        x = fw.tensor(X)
        if call == "sizes":
            fw.func.vmap(lambda a, c: a + c)(x, fw.tensor(W))
        elif call == "unbatched":
            fw.func.vmap(lambda a: a, in_dims=(None,))(x)
        else:
            fw.func.vmap(lambda a: a, in_dims=2)(x)
    messages = []
    for fw in (tw, torch):
        with pytest.raises(ValueError) as err:
            run(fw)
        messages.append(str(err.value))
    if call == "sizes":
        assert messages[0] == messages[1]


def test_vmap_randomness():
    x = tw.zeros(4, 3)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        tw.func.vmap(lambda r: r + tw.rand(3))(x)
    tw.manual_seed(0)
    same = tw.func.vmap(lambda r: r + tw.rand(3), randomness="same")(x)
    after_same = tw.rand(2)
    tw.manual_seed(0)
    first = tw.rand(3)
    after_one = tw.rand(2)
    assert (same.numpy() == first.numpy()).all()
    assert after_same.tolist() == after_one.tolist()  # the streams advance as for one call
    different = tw.func.vmap(lambda r: r + tw.rand(3), randomness="different")(x)
    assert len({tuple(r) for r in different.tolist()}) == 4


def test_fork_rng_restores_the_streams():
    tw.manual_seed(5)
    with tw.random.fork_rng(devices=["minimal:0"]):
        inside = (tw.rand(3), tw.rand(3, device="minimal:0"))
    outside = (tw.rand(3), tw.rand(3, device="minimal:0"))
    assert inside[0].tolist() == outside[0].tolist()
    assert inside[1].tolist() == outside[1].tolist()
    with tw.random.fork_rng(enabled=False):
        tw.rand(1)
    assert tw.rand(3).tolist() != outside[0].tolist()


def test_functional_call_with_merged_dicts_and_grad():
    def build(fw):
        fw.manual_seed(0)
        lin = fw.nn.Linear(4, 2).double()
        with fw.no_grad():
            lin.weight.copy_(fw.tensor(W.T))
            lin.bias.copy_(fw.tensor(B))
        x = fw.tensor(X)
        params = {"weight": fw.tensor(W.T) * 2, "bias": fw.tensor(B) + 1}

        def loss(p):
            return (fw.func.functional_call(lin, ({"weight": p["weight"]}, {"bias": p["bias"]}),
                                            (x,)) ** 2).sum()
        g = fw.func.grad(loss)(params)
        return [lin(x), fw.func.functional_call(lin, params, x), g]
    ours, theirs = _both(build)
    _same(ours, theirs)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        tw.func.functional_call(tw.nn.Linear(2, 2), ({"bias": tw.zeros(2)}, {"bias": tw.ones(2)}),
                                (tw.zeros(2),))


def test_ensemble_with_stack_module_state_and_vmap():
    """PyTorch's model-ensembling recipe: stacked states, vmap over functional_call."""
    def build(fw):
        rng = np.random.default_rng(1)
        models = []
        for _ in range(3):
            m = fw.nn.Sequential(fw.nn.Linear(4, 3), fw.nn.Tanh(), fw.nn.Linear(3, 2)).double()
            with fw.no_grad():
                for p in m.parameters():
                    p.copy_(fw.tensor(rng.standard_normal(tuple(p.shape))))
            models.append(m)
        params, buffers = fw.func.stack_module_state(models)
        base = models[0]
        out = fw.func.vmap(lambda p, b, x: fw.func.functional_call(base, (p, b), (x,)),
                           in_dims=(0, 0, None))(params, buffers, fw.tensor(X))
        out.square().sum().backward()
        assert all(p.is_leaf and p.requires_grad for p in params.values())
        return [out, {k: p.grad for k, p in params.items()}]
    ours, theirs = _both(build)
    _same(ours, theirs)


def test_stack_module_state_errors():
    for models, match in (([], "Expected at least one model, got 0"),
                          ([tw.nn.Linear(2, 2), tw.nn.Linear(2, 2).eval()], "same training/eval"),
                          ([tw.nn.Linear(2, 2), tw.nn.Tanh()], "same class"),
                          ([tw.nn.Linear(2, 2), tw.nn.Linear(2, 2).requires_grad_(False)],
                           "Expected weight from each model to have the same .requires_grad")):
        with pytest.raises(RuntimeError, match=match):
            tw.func.stack_module_state(models)


def test_linearize_and_replace_all_batch_norm_modules():
    def build(fw):
        out, jvp_fn = fw.func.linearize(lambda w, x: fw.tanh(x @ w), fw.tensor(W), fw.tensor(X))
        model = fw.nn.Sequential(fw.nn.BatchNorm1d(3), fw.nn.InstanceNorm1d(3, affine=True,
                                                                              track_running_stats=True))
        fw.func.replace_all_batch_norm_modules_(model)
        assert model[0].running_mean is None and model[1].running_mean is not None
        return [out, jvp_fn(fw.tensor(W) * 0 + 1, fw.tensor(X)), jvp_fn(*_args(fw)[:2]),
                {k: v for k, v in model.state_dict().items() if v.dtype.is_floating_point}]
    ours, theirs = _both(build)
    _same(ours, theirs)
