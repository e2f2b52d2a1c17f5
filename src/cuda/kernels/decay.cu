// Exponential time decay (ultra::cuda, NVRTC source). Keep in step with
// decay_factor in src/cuda/cpu.rs: score *= 2^(-max(now - t, 0) / half_life),
// in double precision; a NaN timestamp gives NaN.
__device__ __forceinline__ double decay_factor(double t, double now, double half_life) {
  double age = now - t;
  if (age > 0.0) return exp2(-age / half_life);
  return age != age ? age : 1.0;
}

extern "C" __global__ void decay(float* s, const double* ts, unsigned int n, double now,
                                 double half_life) {
  unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
  for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += stride)
    s[i] = (float)((double)s[i] * decay_factor(ts[i], now, half_life));
}

// One block per segment offsets[seg]..offsets[seg+1], with its own half-life.
extern "C" __global__ void decay_segments(float* s, const double* ts,
                                          const unsigned long long* offsets,
                                          const double* half_lives, double now) {
  unsigned int seg = blockIdx.x;
  double h = half_lives[seg];
  for (unsigned long long i = offsets[seg] + threadIdx.x; i < offsets[seg + 1]; i += blockDim.x)
    s[i] = (float)((double)s[i] * decay_factor(ts[i], now, h));
}
