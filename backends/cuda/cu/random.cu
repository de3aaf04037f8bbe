// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), the opencl backend's
// generator (its cl/rng.cl) with the same counters and the same bits to values, so equal
// generator states draw equal numbers on both. Element i of a draw uses counter base + i
// under the generator's 64-bit key (k0, k1); one thread per element, grid-stride.

struct tw_philox_out {
    unsigned x, y, z, w;
};

__device__ tw_philox_out tw_philox(unsigned long long ctr, unsigned k0, unsigned k1) {
    unsigned c0 = (unsigned)ctr, c1 = (unsigned)(ctr >> 32), c2 = 0x243F6A88u,
             c3 = 0x85A308D3u;
    for (int r = 0; r < 10; ++r) {
        unsigned long long p0 = 0xD2511F53ull * c0;
        unsigned long long p1 = 0xCD9E8D57ull * c2;
        unsigned n0 = (unsigned)(p1 >> 32) ^ c1 ^ k0, n2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;
        c1 = (unsigned)p1;
        c3 = (unsigned)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return {c0, c1, c2, c3};
}

// The bits of a draw as a uniform in [0, 1) (unit) and in (0, 1) (unit_open), for float32
// (BITS 24), float16 tensors computed in float (BITS 11: exact halfs) and float64 (53).
template <int BITS> struct tw_units;
template <> struct tw_units<24> {
    typedef float T;
    __device__ static float unit(tw_philox_out u) { return (float)(u.x >> 8) * 0x1.0p-24f; }
    __device__ static float open(tw_philox_out u) {
        return ((float)(u.z >> 8) + 0.5f) * 0x1.0p-24f;
    }
};
template <> struct tw_units<11> {
    typedef float T;
    __device__ static float unit(tw_philox_out u) { return (float)(u.x >> 21) * 0x1.0p-11f; }
    __device__ static float open(tw_philox_out u) { return tw_units<24>::open(u); }
};
template <> struct tw_units<8> {  // bfloat16 tensors, computed in float: 8 bits, as opencl
    typedef float T;
    __device__ static float unit(tw_philox_out u) { return (float)(u.x >> 24) * 0x1.0p-8f; }
    __device__ static float open(tw_philox_out u) { return tw_units<24>::open(u); }
};
template <> struct tw_units<53> {
    typedef double T;
    __device__ static double unit(tw_philox_out u) {
        return (double)(((unsigned long long)(u.x >> 5) << 26) | (u.y >> 6)) * 0x1.0p-53;
    }
    __device__ static double open(tw_philox_out u) {
        return ((double)(((unsigned long long)(u.z >> 5) << 26) | (u.w >> 6)) + 0.5) *
               0x1.0p-53;
    }
};

__device__ float tw_cospi(float x) { return cospif(x); }
__device__ double tw_cospi(double x) { return cospi(x); }

#define TW_FOR_EACH(i, n)                                                                   \
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;             \
         i += (long long)gridDim.x * blockDim.x)

// Uniform in [0, 1), or in (0, 1) with OPEN.
template <int BITS, bool OPEN>
__global__ void rand_unit(typename tw_units<BITS>::T *out, long long n, unsigned k0,
                          unsigned k1, unsigned long long base) {
    TW_FOR_EACH(i, n) {
        tw_philox_out u = tw_philox(base + (unsigned long long)i, k0, k1);
        out[i] = OPEN ? tw_units<BITS>::open(u) : tw_units<BITS>::unit(u);
    }
}

// Standard normal by Box-Muller on one open and one half-open uniform.
template <int BITS>
__global__ void randn_unit(typename tw_units<BITS>::T *out, long long n, unsigned k0,
                           unsigned k1, unsigned long long base) {
    typedef typename tw_units<BITS>::T T;
    TW_FOR_EACH(i, n) {
        tw_philox_out u = tw_philox(base + (unsigned long long)i, k0, k1);
        T r = sqrt((T)-2 * log(tw_units<BITS>::open(u)));
        out[i] = r * tw_cospi((T)2 * tw_units<BITS>::unit(u));
    }
}

// low + a 64-bit draw modulo the range (the bias is below 2**-32 for ranges under 2**32).
__global__ void randint64(long long *out, long long n, unsigned k0, unsigned k1,
                          unsigned long long base, long long low, unsigned long long range) {
    TW_FOR_EACH(i, n) {
        tw_philox_out u = tw_philox(base + (unsigned long long)i, k0, k1);
        unsigned long long v = (((unsigned long long)u.x << 32) | u.y) % range;
        out[i] = low + (long long)v;
    }
}
