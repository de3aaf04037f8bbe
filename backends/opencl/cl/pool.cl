/* The gradient of 2-D max pooling (macros from cltypes.header), one work-item per input
 * element: it visits the windows that can hold the element -- at most kh * kw of them --
 * and adds the gradients of those whose maximum it was. No atomics, windows may overlap,
 * and the sum is deterministic. grad and indices are contiguous (n*c, oh, ow). */
__kernel void K(max_pool2d_backward)(__global T *out, __global const T *grad,
                                     __global const long *index, long total, long h, long w,
                                     long oh, long ow, long kh, long kw, long sh, long sw,
                                     long ph, long pw, long dh, long dw, long g_off,
                                     long i_off) {
    long i = get_global_id(0);
    if (i >= total) return;
    long x = i % w, y = (i / w) % h, base = (i / (w * h)) * oh * ow;
    long here = y * w + x;
    C acc = 0;
    for (long r = 0; r < kh; ++r) {
        long t = y + ph - r * dh;          /* = oy * sh for the window oy that row r puts here */
        if (t < 0 || t % sh) continue;
        long oy = t / sh;
        if (oy >= oh) continue;
        for (long c = 0; c < kw; ++c) {
            long u = x + pw - c * dw;
            if (u < 0 || u % sw) continue;
            long ox = u / sw;
            if (ox >= ow) continue;
            long j = base + oy * ow + ox;
            if (index[i_off + j] == here) acc += LD(grad, g_off + j);
        }
    }
    ST(out, i, acc);
}

/* col2im (F.fold), one work-item per image element: the sum of the column entries that
 * the sliding windows put at that element, gathered rather than scattered (no atomics).
 * cols is (n, c*kh*kw, oh*ow) with any strides; out is contiguous (n, c, h, w). */
__kernel void K(col2im)(__global T *out, __global const T *cols, long total, long c_img,
                        long h, long w, long oh, long ow, long kh, long kw, long sh, long sw,
                        long ph, long pw, long dh, long dw, long off, long st0, long st1,
                        long st2) {
    long i = get_global_id(0);
    if (i >= total) return;
    long x = i % w, y = (i / w) % h, ch = (i / (w * h)) % c_img, img = i / (w * h * c_img);
    C acc = 0;
    for (long r = 0; r < kh; ++r) {
        long t = y + ph - r * dh;
        if (t < 0 || t % sh) continue;
        long oy = t / sh;
        if (oy >= oh) continue;
        for (long q = 0; q < kw; ++q) {
            long u = x + pw - q * dw;
            if (u < 0 || u % sw) continue;
            long ox = u / sw;
            if (ox >= ow) continue;
            acc += LD(cols, off + img * st0 + ((ch * kh + r) * kw + q) * st1 +
                            (oy * ow + ox) * st2);
        }
    }
    ST(out, i, acc);
}
