/* gather / scatter / scatter_add along `dim`, and nonzero (macros from cltypes.header).
 * Scatters give one work-item per output element, which scans the index line that can
 * write it: no atomics, any dtype, and a deterministic result (the last write wins). */
typedef struct {
    long nd, dim, n;
    long shape[MAXD], x_st[MAXD];   /* the input (gather) or output (scatter) */
    long ishape[MAXD], i_st[MAXD];  /* the index */
    long s_st[MAXD];                /* the source of a scatter */
    long x_off, i_off, s_off;
} xgeom;

__kernel void K(gather)(__global T *out, __global const T *x, __global const long *index,
                        __global const xgeom *g) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long r = i, xo = g->x_off, io = g->i_off;
    for (int d = (int)g->nd - 1; d >= 0; --d) {
        long c = r % g->ishape[d];
        r /= g->ishape[d];
        io += c * g->i_st[d];
        if (d != g->dim) xo += c * g->x_st[d];
    }
    long j = index[io];
    ST(out, i, LD(x, xo + j * g->x_st[g->dim]));
}

#define SCATTER(NAME, COMBINE)                                                          \
__kernel void K(NAME)(__global T *out, __global const T *x, __global const long *index, \
                      __global const T *src, __global const xgeom *g) {                                  \
    long i = get_global_id(0);                                                          \
    if (i >= g->n) return;                                                               \
    long r = i, xo = g->x_off, io = g->i_off, so = g->s_off, target = 0;                   \
    int inside = 1;                                                                     \
    for (int d = (int)g->nd - 1; d >= 0; --d) {                                          \
        long c = r % g->shape[d];                                                        \
        r /= g->shape[d];                                                                \
        xo += c * g->x_st[d];                                                            \
        if (d == g->dim) { target = c; continue; }                                       \
        if (c >= g->ishape[d]) inside = 0;                                               \
        io += c * g->i_st[d];                                                            \
        so += c * g->s_st[d];                                                            \
    }                                                                                   \
    C acc = LD(x, xo);                                                                  \
    if (inside) {                                                                       \
        for (long k = 0; k < g->ishape[g->dim]; ++k) {                                    \
            if (index[io + k * g->i_st[g->dim]] == target) {                              \
                C v = LD(src, so + k * g->s_st[g->dim]);                                  \
                COMBINE;                                                                \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    ST(out, i, acc);                                                                    \
}

SCATTER(scatter, acc = v)
SCATTER(scatter_add, acc += v)

/* Coordinates of the nonzero elements in row-major order, by one work-item; count[0] gets
 * how many there are. */
__kernel void K(nonzero)(__global long *out, __global long *count, __global const T *x,
                         __global const xgeom *g) {
    if (get_global_id(0) != 0) return;
    long c[MAXD];
    for (int d = 0; d < MAXD; ++d) c[d] = 0;
    long found = 0;
    for (long i = 0; i < g->n; ++i) {
        long off = g->x_off;
        for (int d = 0; d < (int)g->nd; ++d) off += c[d] * g->x_st[d];
        if (LD(x, off) != 0) {
            for (int d = 0; d < (int)g->nd; ++d) out[found * g->nd + d] = c[d];
            ++found;
        }
        for (int d = (int)g->nd - 1; d >= 0; --d) {
            if (++c[d] < g->shape[d]) break;
            c[d] = 0;
        }
    }
    count[0] = found;
}
