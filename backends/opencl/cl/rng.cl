/* Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11). Element i of a draw
 * uses counter base + i under the generator's 64-bit key, so a seed fixes every value
 * whatever the launch shape (macros from cltypes.header; TAG_<dtype> picks the precision). */
uint4 tw_philox(ulong ctr, uint k0, uint k1) {
    uint4 c = (uint4)((uint)ctr, (uint)(ctr >> 32), 0x243F6A88u, 0x85A308D3u);
    for (int r = 0; r < 10; ++r) {
        ulong p0 = (ulong)0xD2511F53u * c.x;
        ulong p1 = (ulong)0xCD9E8D57u * c.z;
        c = (uint4)((uint)(p1 >> 32) ^ c.y ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c.w ^ k1,
                    (uint)p0);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

#ifdef TAG_f64
typedef double unit_t;
#define UNIT(u) ((double)(((ulong)((u).x >> 5) << 26) | ((u).y >> 6)) * 0x1.0p-53)
#define UNIT_OPEN(u) (((double)(((ulong)((u).z >> 5) << 26) | ((u).w >> 6)) + 0.5) * 0x1.0p-53)
#elif defined(TAG_f16)
typedef float unit_t;
#define UNIT(u) ((float)((u).x >> 21) * 0x1.0p-11f)
#define UNIT_OPEN(u) (((float)((u).z >> 8) + 0.5f) * 0x1.0p-24f)
#elif defined(TAG_bf16)
typedef float unit_t;
#define UNIT(u) ((float)((u).x >> 24) * 0x1.0p-8f)
#define UNIT_OPEN(u) (((float)((u).z >> 8) + 0.5f) * 0x1.0p-24f)
#else
typedef float unit_t;
#define UNIT(u) ((float)((u).x >> 8) * 0x1.0p-24f)
#define UNIT_OPEN(u) (((float)((u).z >> 8) + 0.5f) * 0x1.0p-24f)
#endif

/* Uniform in [0, 1): exact multiples of 2**-11 (half), 2**-8 (bfloat16), 2**-24 (float),
 * 2**-53 (double). */
__kernel void K(rand)(__global T *out, long n, uint k0, uint k1, ulong base) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint4 u = tw_philox(base + (ulong)i, k0, k1);
    ST(out, i, UNIT(u));
}

/* Standard normal by Box-Muller on one open and one half-open uniform. */
__kernel void K(randn)(__global T *out, long n, uint k0, uint k1, ulong base) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint4 u = tw_philox(base + (ulong)i, k0, k1);
    unit_t r = sqrt(-2 * log(UNIT_OPEN(u)));
    ST(out, i, r * cospi(2 * UNIT(u)));
}

/* low + a 64-bit draw modulo the range (the bias is below 2**-32 for ranges under 2**32). */
__kernel void K(randint)(__global T *out, long n, uint k0, uint k1, ulong base, long low,
                         ulong range) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint4 u = tw_philox(base + (ulong)i, k0, k1);
    ulong v = (((ulong)u.x << 32) | u.y) % range;
    ST(out, i, low + (long)v);
}

/* Keys of weighted sampling without replacement (Efraimidis-Spirakis): log(u) / w, so the
 * largest keys of a row are a weighted sample; zero weights give -inf. */
__kernel void K(wkeys)(__global T *out, __global const T *w, long n, uint k0, uint k1,
                       ulong base) {
    long i = get_global_id(0);
    if (i >= n) return;
    uint4 u = tw_philox(base + (ulong)i, k0, k1);
    ST(out, i, log(UNIT_OPEN(u)) / LD(w, i));
}

/* With replacement: per (row, draw), the first category whose running sum exceeds u * total
 * (searchsorted right), never a zero-weight category at the top. */
__kernel void K(wsearch)(__global long *out, __global const T *cdf, __global const T *w,
                         long rows, long k, long ns, uint k0, uint k1, ulong base) {
    long i = get_global_id(0);
    if (i >= rows * ns) return;
    long row = i / ns;
    __global const T *c = cdf + row * k;
    uint4 u = tw_philox(base + (ulong)i, k0, k1);
    C target = (C)UNIT(u) * LD(c, k - 1);
    long lo = 0, hi = k;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (LD(c, mid) <= target) lo = mid + 1; else hi = mid;
    }
    long last = k - 1;
    while (last > 0 && LD(w, row * k + last) <= 0) --last;
    out[i] = min(lo, last);
}
