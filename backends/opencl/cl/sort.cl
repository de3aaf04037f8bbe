/* Stable sort along one dim: a bottom-up merge sort of indices per line, one work-item
 * per line, in a scratch buffer of 2 * len indices per line. NaN sorts as the largest.
 * The walk `g` covers the other dims: operands 0 values out, 1 indices out, 2 the input. */
/* Whether x goes strictly before y (equal elements keep their order: stability). */
int K(before)(C x, C y, int desc) {
#if IS_FLOAT
    int nx = x != x, ny = y != y;
    if (desc) return x > y || (nx && !ny);
    return x < y || (ny && !nx);
#else
    return desc ? x > y : x < y;
#endif
}

__kernel void K(sort)(__global T *vals, __global long *idx, __global long *scratch,
                      __global const T *x, __global const geom *g, long len, long ist, long ost, int desc) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long o[3];
    tw_offsets(g, i, o, 3);
    __global long *a = scratch + i * 2 * len;
    __global long *b = a + len;
    for (long k = 0; k < len; ++k) a[k] = k;
    for (long w = 1; w < len; w *= 2) {
        for (long lo = 0; lo < len; lo += 2 * w) {
            long mid = min(lo + w, len), hi = min(lo + 2 * w, len);
            long p = lo, q = mid, k = lo;
            while (p < mid && q < hi) {
                C vp = LD(x, o[2] + a[p] * ist), vq = LD(x, o[2] + a[q] * ist);
                if (K(before)(vq, vp, desc)) b[k++] = a[q++]; else b[k++] = a[p++];
            }
            while (p < mid) b[k++] = a[p++];
            while (q < hi) b[k++] = a[q++];
        }
        __global long *t = a;
        a = b;
        b = t;
    }
    for (long k = 0; k < len; ++k) {
        long j = a[k];
        ST(vals, o[0] + k * ost, LD(x, o[2] + j * ist));
        idx[o[1] + k * ost] = j;
    }
}
