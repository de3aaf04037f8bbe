/* softmax / log_softmax along one dim, one work-item per line, in three passes over it
 * (max, sum of exponentials, write): one launch instead of the decomposition's six.
 * Floating dtypes only (macros from cltypes.header); operands 0 output, 1 input. */
__kernel void K(softmax)(__global T *out, __global const T *x, __global const geom *g,
                         long len, long ist, long ost, int take_log) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long o[2];
    tw_offsets(g, i, o, 2);
    C m = -INFINITY;
    for (long k = 0; k < len; ++k) {
        C v = LD(x, o[1] + k * ist);
        if (v > m || v != v) m = v;
    }
    C s = 0;
    for (long k = 0; k < len; ++k) s += exp(LD(x, o[1] + k * ist) - m);
    C ls = log(s);
    for (long k = 0; k < len; ++k) {
        C v = LD(x, o[1] + k * ist) - m;
        ST(out, o[0] + k * ost, take_log ? v - ls : exp(v) / s);
    }
}
