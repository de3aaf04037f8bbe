// Just enough of CUDA C to run the cuda backend's kernels on the host, for tests on machines
// without a GPU (cupy_on_numpy.RawModule). A launch runs its blocks one after another; each
// block's threads are std::threads that meet at a std::barrier in __syncthreads, so
// shared-memory reductions run as written, and __shared__ (a static) is the running block's
// own. Only 1-D launches; no warp intrinsics, atomics or dynamic shared memory.
#include <barrier>
#include <cmath>
#include <cstddef>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

using std::exp;
using std::fabs;
using std::log;
using std::sqrt;

// CUDA's cos(pi x), to libm's precision.
inline float cospif(float x) { return (float)std::cos(3.14159265358979323846 * (double)x); }
inline double cospi(double x) { return std::cos(3.14159265358979323846 * x); }

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;
std::barrier<> *tw_host_barrier = nullptr;

#define __global__
#define __device__
#define __shared__ static

inline void __syncthreads() { tw_host_barrier->arrive_and_wait(); }

template <typename Kernel, typename... Args>
void tw_host_launch(unsigned grid, unsigned block, Kernel kernel, Args... args) {
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = 0; b < grid; ++b) {
        std::barrier<> barrier(block);
        tw_host_barrier = &barrier;
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; ++t)
            threads.emplace_back([=] {
                blockIdx.x = b;
                threadIdx.x = t;
                kernel(args...);
            });
        for (auto &thread : threads) thread.join();
    }
}

// Launch ``kernel`` with its arguments read from ``args`` (pointers to each argument's
// value, as cuLaunchKernel takes them): what a generated extern "C" entry point calls.
template <typename... P, std::size_t... I>
void tw_host_unpack(void (*kernel)(P...), unsigned grid, unsigned block, void **args,
                    std::index_sequence<I...>) {
    tw_host_launch(grid, block, kernel, *static_cast<std::decay_t<P> *>(args[I])...);
}

template <typename... P>
void tw_host_call(void (*kernel)(P...), unsigned grid, unsigned block, void **args) {
    tw_host_unpack(kernel, grid, block, args, std::index_sequence_for<P...>{});
}
