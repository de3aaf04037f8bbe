/* Running sums and products along one dim, one work-item per line (macros from
 * cltypes.header). The walk `g` covers the other dims: operand 0 the output, 1 the input. */
__kernel void K(cumsum)(__global T *out, __global const T *x, __global const geom *g, long len, long ist,
                        long ost) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long o[2];
    tw_offsets(g, i, o, 2);
    C acc = 0;
    for (long k = 0; k < len; ++k) {
        acc += LD(x, o[1] + k * ist);
        ST(out, o[0] + k * ost, acc);
    }
}

__kernel void K(cumprod)(__global T *out, __global const T *x, __global const geom *g, long len, long ist,
                         long ost) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long o[2];
    tw_offsets(g, i, o, 2);
    C acc = 1;
    for (long k = 0; k < len; ++k) {
        acc *= LD(x, o[1] + k * ist);
        ST(out, o[0] + k * ost, acc);
    }
}
