/* Batched matrix product C[b] = A[b] @ B[b] with 16x16 tiles in local memory (macros from
 * cltypes.header). A and B are read through their strides (transposed views cost no copy);
 * C is contiguous (batch, M, N). Global size (N, M, batch) rounded up to whole tiles. */
#define TS 16

__kernel void K(matmul)(__global T *c, long c_off, __global const T *a, __global const T *b, long M,
                        long N, long KD, long a_off, long sam, long sak, long sab, long b_off,
                        long sbk, long sbn, long sbb) {
    __local C As[TS][TS];
    __local C Bs[TS][TS];
    int lr = get_local_id(1), lc = get_local_id(0);
    long row = get_group_id(1) * TS + lr, col = get_group_id(0) * TS + lc;
    long bat = get_global_id(2);
    long ao = a_off + bat * sab, bo = b_off + bat * sbb;
    C acc = 0;
    for (long k0 = 0; k0 < KD; k0 += TS) {
        long ka = k0 + lc, kb = k0 + lr;
        As[lr][lc] = (row < M && ka < KD) ? (C)LD(a, ao + row * sam + ka * sak) : (C)0;
        Bs[lr][lc] = (kb < KD && col < N) ? (C)LD(b, bo + kb * sbk + col * sbn) : (C)0;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TS; ++k) acc += As[lr][k] * Bs[k][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < M && col < N) ST(c, c_off + (bat * M + row) * N + col, acc);
}

/* The fast paths: B (and so C) row-major with N a multiple of W (16 or 8). Each work-item
 * keeps an RB x W block of C in vector registers and streams a row of B per k; rows past M
 * repeat the last row's reads and are not stored, so the inner loop has no branches. */
#define RB 8
#define VEC_(t, w) t##w
#define VEC(t, w) VEC_(t, w)
#if TAG_f16
#define LDV(w, p, i) VEC_(vload_half, w)(0, (p) + (i))
#define STV(w, p, i, v) VEC_(vstore_half, w)((v), 0, (p) + (i))
#else
#define LDV(w, p, i) (*(__global const VEC(C, w) *)((p) + (i)))
#define STV(w, p, i, v) (*(__global VEC(C, w) *)((p) + (i)) = (v))
#endif

#define MATMUL_VEC(W, NAME, SA)                                                         \
__kernel void K(NAME)(__global T *c, long c_off, __global const T *a,           \
                             __global const T *b, long M, long N, long KD, long a_off,  \
                             long sam, long sak_arg, long sab, long b_off, long sbb) {  \
    const long sak = SA; /* a literal 1 lets the compiler merge the loads of A */      \
    long j = get_global_id(0) * W, i = get_global_id(1) * RB, bat = get_global_id(2);  \
    __global const T *ap = a + a_off + bat * sab;                                       \
    __global const T *bp = b + b_off + bat * sbb + j;                                   \
    long rows[RB];                                                                      \
    for (int r = 0; r < RB; ++r) rows[r] = min(i + r, M - 1) * sam;                     \
    VEC(C, W) acc[RB];                                                                  \
    for (int r = 0; r < RB; ++r) acc[r] = (VEC(C, W))(0);                               \
    long k = 0;                                                                         \
    for (; k + 4 <= KD; k += 4) { /* four rows of B in flight: twice the speed of one */ \
        VEC(C, W) b0 = LDV(W, bp, k * N), b1 = LDV(W, bp, (k + 1) * N);                 \
        VEC(C, W) b2 = LDV(W, bp, (k + 2) * N), b3 = LDV(W, bp, (k + 3) * N);           \
        for (int r = 0; r < RB; ++r) {                                                  \
            long o = rows[r] + k * sak;                                                 \
            C a0 = LD(ap, o), a1 = LD(ap, o + sak);                                     \
            C a2 = LD(ap, o + 2 * sak), a3 = LD(ap, o + 3 * sak);                       \
            acc[r] += a0 * b0;                                                          \
            acc[r] += a1 * b1;                                                          \
            acc[r] += a2 * b2;                                                          \
            acc[r] += a3 * b3;                                                          \
        }                                                                               \
    }                                                                                   \
    for (; k < KD; ++k) {                                                               \
        VEC(C, W) bk = LDV(W, bp, k * N);                                               \
        for (int r = 0; r < RB; ++r) acc[r] += (C)LD(ap, rows[r] + k * sak) * bk;       \
    }                                                                                   \
    __global T *cp = c + c_off + bat * M * N + j;                                       \
    for (int r = 0; r < RB; ++r)                                                        \
        if (i + r < M) STV(W, cp, (i + r) * N, acc[r]);                                 \
}

MATMUL_VEC(16, matmul_v16, sak_arg)
MATMUL_VEC(16, matmul_v16u, 1)
MATMUL_VEC(8, matmul_v8, sak_arg)
MATMUL_VEC(8, matmul_v8u, 1)

/* The large-product path: A and B packed into panels (`linalg._panels`), so every work-item
 * streams two contiguous arrays: A as (M/PR panels, K, PR rows) and B as (N/PC panels, K,
 * PC columns). Row-major B read in place walks memory at a stride of N floats per k, which
 * for N = 1024, 2048... lands in one cache set and halves the speed; packed, a PR x PC
 * block (16 vector accumulators) reaches NumPy's speed on PoCL. C is contiguous
 * (batch, M, LDC) with LDC a multiple of PC; padding rows of A are computed but not
 * stored, padding columns of B land in C's padding. */
#define PR 8
#define PC 32
#if TAG_f32
__kernel void K(matmul_packed)(__global T *c, long c_off, long ldc, __global const T *ap,
                               __global const T *bp, long M, long KD, long sab, long sbb) {
    long jp = get_global_id(0), ip = get_global_id(1), bat = get_global_id(2);
    __global const float *A = ap + bat * sab + ip * KD * PR;
    __global const float16 *B = (__global const float16 *)(bp + bat * sbb + jp * KD * PC);
    float16 acc[PR][2];
    #pragma unroll
    for (int r = 0; r < PR; ++r) { acc[r][0] = (float16)(0); acc[r][1] = (float16)(0); }
    for (long k = 0; k < KD; ++k) {
        float16 b0 = B[2 * k], b1 = B[2 * k + 1];
        #pragma unroll
        for (int r = 0; r < PR; ++r) {
            float a = A[k * PR + r];
            acc[r][0] += a * b0;
            acc[r][1] += a * b1;
        }
    }
    long i = ip * PR;
    __global float *cp = c + c_off + (bat * M + i) * ldc + jp * PC;
    for (int r = 0; r < PR && i + r < M; ++r) {
        *(__global float16 *)(cp + r * ldc) = acc[r][0];
        *(__global float16 *)(cp + r * ldc + 16) = acc[r][1];
    }
}
#endif
