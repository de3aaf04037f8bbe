// Fused kernels of the cuda backend (see fused.py): row-wise softmax, log_softmax and
// layer norm (one block per row, block-wide tree reductions in shared memory), and Adam's
// update (one thread per element, grid-stride). T is float or double; rows are contiguous.

#define TW_BLOCK 256

template <typename T>
__device__ T tw_block_max(T v, T *shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            T o = shared[threadIdx.x + s];
            // NaN wins, as in max(): a row with a NaN gives NaN everywhere.
            T m = shared[threadIdx.x];
            shared[threadIdx.x] = (o > m || o != o) ? o : m;
        }
        __syncthreads();
    }
    T r = shared[0];
    __syncthreads();
    return r;
}

template <typename T>
__device__ T tw_block_sum(T v, T *shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) shared[threadIdx.x] += shared[threadIdx.x + s];
        __syncthreads();
    }
    T r = shared[0];
    __syncthreads();
    return r;
}

// out[r, :] = softmax(x[r, :]) (LOG = false) or log_softmax (LOG = true), n columns.
template <typename T, bool LOG>
__global__ void softmax_rows(const T *x, T *out, long long n) {
    __shared__ T shared[TW_BLOCK];
    const T *row = x + (long long)blockIdx.x * n;
    T *dst = out + (long long)blockIdx.x * n;
    T m = row[0];  // rows are never empty (fused.py skips empty tensors)
    for (long long j = threadIdx.x; j < n; j += blockDim.x) {
        T v = row[j];
        m = (v > m || v != v) ? v : m;
    }
    m = tw_block_max(m, shared);
    T s = 0;
    for (long long j = threadIdx.x; j < n; j += blockDim.x) s += exp(row[j] - m);
    s = tw_block_sum(s, shared);
    if (LOG) {
        T ls = log(s);
        for (long long j = threadIdx.x; j < n; j += blockDim.x) dst[j] = (row[j] - m) - ls;
    } else {
        for (long long j = threadIdx.x; j < n; j += blockDim.x) dst[j] = exp(row[j] - m) / s;
    }
}

// y[r, :] = (x - mean) / sqrt(var + eps) * w + b over the n columns of row r; the
// statistics are the mean, then the mean of squared deviations (two passes). Without
// a weight or bias (has_w, has_b = 0) its pointer is any valid one and is not read.
template <typename T>
__global__ void layer_norm_rows(const T *x, const T *w, const T *b, T *y, long long n,
                                double eps, int has_w, int has_b) {
    __shared__ T shared[TW_BLOCK];
    const T *row = x + (long long)blockIdx.x * n;
    T *dst = y + (long long)blockIdx.x * n;
    T s = 0;
    for (long long j = threadIdx.x; j < n; j += blockDim.x) s += row[j];
    T mean = tw_block_sum(s, shared) / (T)n;
    T q = 0;
    for (long long j = threadIdx.x; j < n; j += blockDim.x) {
        T d = row[j] - mean;
        q += d * d;
    }
    T inv = (T)1 / sqrt(tw_block_sum(q, shared) / (T)n + (T)eps);
    for (long long j = threadIdx.x; j < n; j += blockDim.x) {
        T v = (row[j] - mean) * inv;
        if (has_w) v *= w[j];
        if (has_b) v += b[j];
        dst[j] = v;
    }
}

// Adam's update in place, with the adam_update op's expressions in their order.
template <typename T>
__global__ void adam_update(T *p, const T *g, T *m, T *v, long long n, double beta1,
                            double beta2, double eps, double step_size, double bc2_sqrt) {
    const T w = (T)(1.0 - beta1), b2 = (T)beta2, one_b2 = (T)(1.0 - beta2);
    const bool near = fabs(1.0 - beta1) < 0.5;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        T gi = g[i], mi = m[i];
        T t = gi - mi;
        mi = near ? mi + t * w : gi - t * (T)(1.0 - (1.0 - beta1));
        T vi = v[i] * b2 + gi * one_b2 * gi;
        T denom = sqrt(vi) / (T)bc2_sqrt + (T)eps;
        p[i] += mi * (T)(-step_size) / denom;
        m[i] = mi;
        v[i] = vi;
    }
}
