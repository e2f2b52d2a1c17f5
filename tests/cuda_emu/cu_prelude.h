// Just enough CUDA vocabulary to compile the kernels as sequential host C++.
#include <cmath>
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__
struct dim3_ { unsigned x, y, z; };
extern dim3_ threadIdx, blockIdx, blockDim, gridDim;
inline unsigned __float_as_uint(float f) { unsigned u; __builtin_memcpy(&u, &f, 4); return u; }
inline unsigned atomicAdd(unsigned* p, unsigned v) { unsigned o = *p; *p += v; return o; }
inline void __syncthreads() {}
using std::exp2;
