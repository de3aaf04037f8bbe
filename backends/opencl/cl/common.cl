/* Shared by every tensorweave program: the strided-walk struct and scalar helpers.
 * Python (runtime.Geometry) packs `geom` as plain longs; keep the two in step. */
#define MAXD 8
#define NOPS 4

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

typedef struct {
    long nd;               /* dims after merging */
    long n;                /* work-items (elements) */
    long shape[MAXD];
    long off[NOPS];        /* element offset of each operand */
    long st[NOPS][MAXD];   /* element strides of each operand */
} geom;

/* bfloat16 is a float's top 16 bits: widening is a shift; narrowing rounds to nearest even
 * and keeps NaNs NaN (a quiet bit set), as PyTorch and ml_dtypes do. */
float tw_from_bf16(ushort h) { return as_float((uint)h << 16); }
ushort tw_to_bf16(float f) {
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x40u);
    return (ushort)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/* Elementwise kernels walk in chunks: work-item w covers flat positions [w * CHUNK, ...),
 * decoding its start once and then stepping along the innermost dim, carrying into the
 * outer ones like an odometer. That is 10-25x faster on PoCL than decoding every position
 * with divisions. Keep CHUNK in step with runtime.CHUNK. */
#define CHUNK 256

/* The multi-index `idx` and operand offsets `o` of flat position p. */
void tw_walk_start(__global const geom *g, long p, long *o, long *idx, int nops) {
    for (int k = 0; k < nops; ++k) o[k] = g->off[k];
    for (int d = (int)g->nd - 1; d >= 0; --d) {
        long s = g->shape[d];
        long c = p % s;
        p /= s;
        idx[d] = c;
        for (int k = 0; k < nops; ++k) o[k] += c * g->st[k][d];
    }
}

/* Advance by `run` positions that stay within the innermost dim, then carry. */
void tw_walk_step(__global const geom *g, long run, long *o, long *idx, int nops) {
    int last = (int)g->nd - 1;
    for (int k = 0; k < nops; ++k) o[k] += run * g->st[k][last];
    idx[last] += run;
    for (int d = last; d > 0 && idx[d] == g->shape[d]; --d) {
        for (int k = 0; k < nops; ++k) o[k] += g->st[k][d - 1] - idx[d] * g->st[k][d];
        idx[d] = 0;
        idx[d - 1] += 1;
    }
}

/* The loop of a chunked walk over geometry G with NOPS_ operands: between CHUNKED_WALK_BEGIN
 * and CHUNKED_WALK_END, operand k's element is at `o[k] + j * s[k]`. The macros declare
 * pos, end, o, idx, s, last, run and j. */
#define CHUNKED_WALK_BEGIN(G, NOPS_)                                                      \
    long pos = get_global_id(0) * CHUNK;                                                  \
    long end = min(pos + CHUNK, (G)->n);                                                  \
    if (pos >= end) return;                                                               \
    long o[NOPS_], idx[MAXD], s[NOPS_];                                                   \
    tw_walk_start((G), pos, o, idx, NOPS_);                                               \
    int last = (int)(G)->nd - 1;                                                          \
    for (int k = 0; k < NOPS_; ++k) s[k] = (G)->st[k][last];                              \
    while (pos < end) {                                                                   \
        long run = min((G)->shape[last] - idx[last], end - pos);                          \
        for (long j = 0; j < run; ++j) {
#define CHUNKED_WALK_END(G, NOPS_)                                                        \
        }                                                                                 \
        pos += run;                                                                       \
        tw_walk_step((G), run, o, idx, NOPS_);                                            \
    }

/* Offsets of the first `nops` operands for flat position i of the walk. */
void tw_offsets(__global const geom *g, long i, long *o, int nops) {
    for (int k = 0; k < nops; ++k) o[k] = g->off[k];
    for (int d = (int)g->nd - 1; d >= 0; --d) {
        long s = g->shape[d];
        long c = i % s;
        i /= s;
        for (int k = 0; k < nops; ++k) o[k] += c * g->st[k][d];
    }
}

/* Python's a // b for integers (b == 0 is rejected on the host before launch). */
long tw_ifloordiv(long a, long b) {
    if (b == 0) return 0;
    if (b == -1) return -a;
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
}

long tw_ifmod(long a, long b) {
    if (b == 0 || b == -1) return 0;
    return a % b;
}

/* Integer power by squaring; negative exponents give what PyTorch gives (0 unless |a| == 1). */
long tw_ipow(long a, long b) {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    long r = 1;
    while (b) {
        if (b & 1) r *= a;
        a *= a;
        b >>= 1;
    }
    return r;
}

/* NumPy's floor division for floats (npy_divmod): exact where floor(a / b) is not. */
float __attribute__((overloadable)) tw_floordiv(float a, float b) {
    if (b == 0) return a / b;
    float mod = fmod(a, b);
    float div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
    if (div == 0) return copysign(0.0f, a / b);
    float fl = floor(div);
    if (div - fl > 0.5f) fl += 1;
    return fl;
}

#ifdef cl_khr_fp64
double __attribute__((overloadable)) tw_floordiv(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
    if (div == 0) return copysign(0.0, a / b);
    double fl = floor(div);
    if (div - fl > 0.5) fl += 1;
    return fl;
}
#endif
