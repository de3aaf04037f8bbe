/* Creation kernels for one dtype (macros from cltypes.header). */
#ifdef cl_khr_fp64
typedef double real_t;
#else
typedef float real_t;
#endif

/* out[i] = start + i * step, in integer arithmetic (exact for int64)... */
__kernel void K(arange_int)(__global T *out, long n, long start, long step) {
    long i = get_global_id(0);
    if (i < n) ST(out, i, start + i * step);
}

/* ...or in the widest float the device has, then converted like NumPy's astype. */
__kernel void K(arange_real)(__global T *out, long n, real_t start, real_t step) {
    long i = get_global_id(0);
    if (i >= n) return;
    real_t v = start + (real_t)i * step;
#if IS_FLOAT
    ST(out, i, v);
#else
    ST(out, i, (long)v);
#endif
}
