/* Reductions for one dtype (macros T, C, LD, ST, LOWEST, IS_FLOAT, K from cltypes.header).
 * Each output element reduces the input along the reduced dims; `_seq` kernels give one
 * work-item per output (short reductions), `_wg` kernels one work-group of LOCAL items
 * per output with a tree in local memory (long ones). */
#define LOCAL 64

typedef struct {
    long nk, nr, n_out, n_red, off;
    long kshape[MAXD], kst[MAXD];   /* kept dims: which output element */
    long rshape[MAXD], rst[MAXD];   /* reduced dims: which input element of it */
} rgeom;

long tw_walk(long i, long nd, __global const long *shape, __global const long *st) {
    long o = 0;
    for (int d = (int)nd - 1; d >= 0; --d) {
        long s = shape[d];
        o += (i % s) * st[d];
        i /= s;
    }
    return o;
}

#if IS_FLOAT
#define TW_MAX(a, b) (((a) != (a)) ? (a) : (((b) != (b) || (b) > (a)) ? (b) : (a)))
#define TW_ISNAN(a) ((a) != (a))
#else
#define TW_MAX(a, b) (((b) > (a)) ? (b) : (a))
#define TW_ISNAN(a) 0
#endif
#define TW_ADD(a, b) ((a) + (b))
#define TW_MUL(a, b) ((a) * (b))

#define REDUCE(NAME, INIT, COMB)                                                        \
__kernel void K(NAME##_seq)(__global T *out, __global const T *x, __global const rgeom *g) {            \
    long o = get_global_id(0);                                                          \
    if (o >= g->n_out) return;                                                           \
    long base = g->off + tw_walk(o, g->nk, g->kshape, g->kst);                              \
    C acc = INIT;                                                                       \
    for (long r = 0; r < g->n_red; ++r) {                                                \
        C v = LD(x, base + tw_walk(r, g->nr, g->rshape, g->rst));                          \
        acc = COMB(acc, v);                                                             \
    }                                                                                   \
    ST(out, o, acc);                                                                    \
}                                                                                       \
__kernel void K(NAME##_wg)(__global T *out, __global const T *x, __global const rgeom *g) {             \
    __local C part[LOCAL];                                                              \
    long o = get_group_id(0);                                                           \
    int l = get_local_id(0);                                                            \
    long base = g->off + tw_walk(o, g->nk, g->kshape, g->kst);                              \
    C acc = INIT;                                                                       \
    for (long r = l; r < g->n_red; r += LOCAL) {                                         \
        C v = LD(x, base + tw_walk(r, g->nr, g->rshape, g->rst));                          \
        acc = COMB(acc, v);                                                             \
    }                                                                                   \
    part[l] = acc;                                                                      \
    barrier(CLK_LOCAL_MEM_FENCE);                                                       \
    for (int s = LOCAL / 2; s > 0; s >>= 1) {                                           \
        if (l < s) part[l] = COMB(part[l], part[l + s]);                                \
        barrier(CLK_LOCAL_MEM_FENCE);                                                   \
    }                                                                                   \
    if (l == 0) ST(out, o, part[0]);                                                    \
}

REDUCE(sum, (C)0, TW_ADD)
REDUCE(prod, (C)1, TW_MUL)
REDUCE(amax, (C)LOWEST, TW_MAX)

/* (value, index) of the first maximum; NaN counts as the largest. */
int tw_better(C v1, long i1, C v2, long i2) {
    int n1 = TW_ISNAN(v1), n2 = TW_ISNAN(v2);
    if (n1 || n2) return n1 && n2 ? i1 <= i2 : n1;
    if (v1 != v2) return v1 > v2;
    return i1 <= i2;
}

__kernel void K(argmax_seq)(__global long *out, __global const T *x, __global const rgeom *g) {
    long o = get_global_id(0);
    if (o >= g->n_out) return;
    long base = g->off + tw_walk(o, g->nk, g->kshape, g->kst);
    C best = LD(x, base);
    long bi = 0;
    for (long r = 1; r < g->n_red; ++r) {
        C v = LD(x, base + tw_walk(r, g->nr, g->rshape, g->rst));
        if (!tw_better(best, bi, v, r)) { best = v; bi = r; }
    }
    out[o] = bi;
}

__kernel void K(argmax_wg)(__global long *out, __global const T *x, __global const rgeom *g) {
    __local C pv[LOCAL];
    __local long pi[LOCAL];
    long o = get_group_id(0);
    int l = get_local_id(0);
    long base = g->off + tw_walk(o, g->nk, g->kshape, g->kst);
    C best = LD(x, base);
    long bi = -1;
    for (long r = l; r < g->n_red; r += LOCAL) {
        C v = LD(x, base + tw_walk(r, g->nr, g->rshape, g->rst));
        if (bi < 0 || !tw_better(best, bi, v, r)) { best = v; bi = r; }
    }
    pv[l] = best;
    pi[l] = bi;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = LOCAL / 2; s > 0; s >>= 1) {
        if (l < s && pi[l + s] >= 0 &&
                (pi[l] < 0 || !tw_better(pv[l], pi[l], pv[l + s], pi[l + s]))) {
            pv[l] = pv[l + s];
            pi[l] = pi[l + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) out[o] = pi[0];
}
