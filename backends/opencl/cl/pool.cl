/* Gathers that invert sliding windows (macros from cltypes.header): max pooling's gradient
 * and col2im (F.fold, convolution's input gradient). One work-item per image element
 * visits the windows that can reach it -- at most kh * kw -- instead of scattering: no
 * atomics, windows may overlap, and the sums are deterministic. */

/* BODY runs for every window (oy, ox) whose tap (r, q) lands on element (y, x); the
 * geometry (oh, ow, kh, kw, sh, sw, ph, pw, dh, dw) comes from the kernel's arguments. */
#define FOR_EACH_WINDOW(y, x, BODY)                                                     \
    for (long r = 0; r < kh; ++r) {                                                     \
        long t = (y) + ph - r * dh;         /* = oy * sh for the window row r lands on */ \
        if (t < 0 || t % sh) continue;                                                  \
        long oy = t / sh;                                                               \
        if (oy >= oh) continue;                                                         \
        for (long q = 0; q < kw; ++q) {                                                 \
            long u = (x) + pw - q * dw;                                                 \
            if (u < 0 || u % sw) continue;                                              \
            long ox = u / sw;                                                           \
            if (ox >= ow) continue;                                                     \
            BODY                                                                        \
        }                                                                               \
    }

/* grad and index are contiguous (n*c, oh, ow); out is (n*c, h, w). */
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
    FOR_EACH_WINDOW(y, x, {
        long j = base + oy * ow + ox;
        if (index[i_off + j] == here) acc += LD(grad, g_off + j);
    })
    ST(out, i, acc);
}

/* cols is (n, c*kh*kw, oh*ow) with any strides; out is contiguous (n, c, h, w). */
__kernel void K(col2im)(__global T *out, __global const T *cols, long total, long c_img,
                        long h, long w, long oh, long ow, long kh, long kw, long sh, long sw,
                        long ph, long pw, long dh, long dw, long off, long st0, long st1,
                        long st2) {
    long i = get_global_id(0);
    if (i >= total) return;
    long x = i % w, y = (i / w) % h, ch = (i / (w * h)) % c_img, img = i / (w * h * c_img);
    C acc = 0;
    FOR_EACH_WINDOW(y, x, {
        acc += LD(cols, off + img * st0 + ((ch * kh + r) * kw + q) * st1 +
                        (oy * ow + ox) * st2);
    })
    ST(out, i, acc);
}
