// Top-k by radix select over 64-bit rank keys (ultra::cuda, NVRTC source).
//
// rank_key(x, i) = order_key(x) << 32 | ~i: unique per element, larger is
// better (higher value, then lower index). order_key maps numbers onto
// 1..2^32-1 in IEEE totalOrder and every NaN to 0. Keep in step with
// src/cuda/cpu.rs.
typedef unsigned int u32;
typedef unsigned long long u64;

__device__ __forceinline__ u32 order_key(float x) {
  u32 b = __float_as_uint(x);
  if (x != x) return 0u;
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ u64 rank_key(float x, u32 i) {
  return ((u64)order_key(x) << 32) | (u64)(~i);
}

// One radix-select pass: histogram of the 8-bit digit at `shift` over the
// keys whose bits under `mask` equal `prefix`. `hist` (256 counters) must be
// zeroed by the caller.
extern "C" __global__ void radix_hist(const float* s, u32 n, u64 prefix, u64 mask,
                                      u32 shift, u32* hist) {
  __shared__ u32 h[256];
  for (u32 t = threadIdx.x; t < 256; t += blockDim.x) h[t] = 0u;
  __syncthreads();
  u64 stride = (u64)gridDim.x * blockDim.x;
  for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    u64 key = rank_key(s[i], (u32)i);
    if ((key & mask) == prefix) atomicAdd(&h[(u32)(key >> shift) & 0xFFu], 1u);
  }
  __syncthreads();
  for (u32 t = threadIdx.x; t < 256; t += blockDim.x)
    if (h[t] != 0u) atomicAdd(&hist[t], h[t]);
}

// Append every key >= threshold to `out` (exactly k of them, in any order).
extern "C" __global__ void gather_ge(const float* s, u32 n, u64 threshold, u64* out,
                                     u32* counter) {
  u64 stride = (u64)gridDim.x * blockDim.x;
  for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    u64 key = rank_key(s[i], (u32)i);
    if (key >= threshold) out[atomicAdd(counter, 1u)] = key;
  }
}

// Bitonic sort of sh[0..p2) descending; p2 a power of two; one block.
__device__ void bitonic_desc(u64* sh, u32 p2) {
  for (u32 size = 2; size <= p2; size <<= 1) {
    for (u32 stride = size >> 1; stride > 0; stride >>= 1) {
      for (u32 t = threadIdx.x; t < p2; t += blockDim.x) {
        u32 partner = t ^ stride;
        if (partner > t) {
          bool desc = (t & size) == 0u;
          u64 a = sh[t], b = sh[partner];
          if (desc ? (a < b) : (a > b)) {
            sh[t] = b;
            sh[partner] = a;
          }
        }
      }
      __syncthreads();
    }
  }
}

// Sort keys[0..k) descending in place; p2 = next power of two >= k; dynamic
// shared memory p2 * 8 bytes; launch with one block.
extern "C" __global__ void sort_desc(u64* keys, u32 k, u32 p2) {
  extern __shared__ u64 sh[];
  for (u32 t = threadIdx.x; t < p2; t += blockDim.x) sh[t] = t < k ? keys[t] : 0ull;
  __syncthreads();
  bitonic_desc(sh, p2);
  for (u32 t = threadIdx.x; t < k; t += blockDim.x) keys[t] = sh[t];
}

// Batched top-k, one block per segment s = offsets[s]..offsets[s+1] (each at
// most p2 long; dynamic shared memory p2 * 8 bytes). Writes min(k, len)
// results at out_*[s * k ..] (indices relative to the segment) and counts[s];
// the caller pre-fills the padding.
extern "C" __global__ void topk_segments(const float* s, const u64* offsets, u32 k, u32 p2,
                                         u32* out_idx, float* out_val, u32* counts) {
  extern __shared__ u64 sh[];
  u32 seg = blockIdx.x;
  u64 begin = offsets[seg];
  u32 len = (u32)(offsets[seg + 1] - begin);
  for (u32 t = threadIdx.x; t < p2; t += blockDim.x)
    sh[t] = t < len ? rank_key(s[begin + t], t) : 0ull;
  __syncthreads();
  bitonic_desc(sh, p2);
  u32 m = k < len ? k : len;
  u64 base = (u64)seg * k;
  for (u32 t = threadIdx.x; t < m; t += blockDim.x) {
    u32 idx = ~(u32)sh[t];
    out_idx[base + t] = idx;
    out_val[base + t] = s[begin + idx];
  }
  if (threadIdx.x == 0) counts[seg] = m;
}
