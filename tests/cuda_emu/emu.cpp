// Sequential emulation of the NVRTC kernels on the host: one block of one
// thread is a valid execution of every kernel (all loops stride by
// blockDim/gridDim, so __syncthreads is a no-op). Checks the algorithms, not
// the parallel schedule. Built and run by tests/cuda_kernels_emulated.rs.
#include "cu_prelude.h"
dim3_ threadIdx{0,0,0}, blockIdx{0,0,0}, blockDim{1,1,1}, gridDim{1,1,1};
#include "topk.cu"
#include "decay.cu"
#include <vector>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
// The dynamic shared memory of the kernels (`extern __shared__ u64 sh[]`).
u64 sh[8192];
// The host side of radix select, as in src/cuda/kernels.rs (Launch::topk_keys).
std::vector<u64> topk_gpu(std::vector<float>& s, u32 k) {
  u32 n = s.size(); u64 prefix = 0, mask = 0, need = k;
  for (int shift = 56; shift >= 0; shift -= 8) {
    u32 hist[256] = {0};
    radix_hist(s.data(), n, prefix, mask, shift, hist);
    int digit = 255;
    for (;;) { u64 c = hist[digit]; if (c >= need) break; need -= c; if (digit == 0) { puts("lost"); exit(1);} digit--; }
    prefix |= (u64)digit << shift; mask |= 0xFFull << shift;
    if (hist[digit] == need) break;
  }
  std::vector<u64> out(k); u32 counter = 0;
  gather_ge(s.data(), n, prefix, out.data(), &counter);
  if (counter != k) { printf("counter %u != k %u\n", counter, k); exit(1); }
  u32 p2 = 1; while (p2 < k) p2 <<= 1;
  sort_desc(out.data(), k, p2);
  return out;
}
int main() {
  unsigned long long x = 12345;
  auto rnd = [&]() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  for (u32 n : {1u, 2u, 7u, 100u, 1000u, 5000u}) for (u32 distinct : {2u, 50u, 1u << 30}) for (u32 k : {1u, 3u, 10u, 100u, 1000u, 4096u}) {
    if (k > n) continue;
    std::vector<float> s(n);
    for (auto& v : s) { u64 r = rnd(); v = (r % 31 == 0) ? NAN : (r % 29 == 0 ? -0.0f : (float)((r >> 8) % distinct) - 20.0f); }
    std::vector<u64> keys(n); for (u32 i = 0; i < n; i++) keys[i] = rank_key(s[i], i);
    std::sort(keys.begin(), keys.end(), [](u64 a, u64 b){ return a > b; }); keys.resize(k);
    if (topk_gpu(s, k) != keys) { printf("MISMATCH n=%u k=%u d=%u\n", n, k, distinct); return 1; }
  }
  // segments: emulate blockIdx per segment
  std::vector<float> s(300); for (auto& v : s) v = (float)(rnd() % 17);
  std::vector<u64> offs = {0, 5, 5, 100, 300}; u32 k = 8, segs = 4, p2 = 256;
  std::vector<u32> oi(segs * k, 0xFFFFFFFFu), cnt(segs); std::vector<float> ov(segs * k, NAN);
  for (u32 b = 0; b < segs; b++) { blockIdx.x = b; topk_segments(s.data(), offs.data(), k, p2, oi.data(), ov.data(), cnt.data()); }
  for (u32 b = 0; b < segs; b++) {
    u32 len = offs[b+1] - offs[b]; std::vector<u64> keys;
    for (u32 i = 0; i < len; i++) keys.push_back(rank_key(s[offs[b] + i], i));
    std::sort(keys.begin(), keys.end(), [](u64 a, u64 c){ return a > c; });
    u32 m = std::min(k, len); if (cnt[b] != m) { puts("count"); return 1; }
    for (u32 t = 0; t < m; t++) if (oi[b*k+t] != ~(u32)keys[t]) { puts("seg mismatch"); return 1; }
    for (u32 t = m; t < k; t++) if (oi[b*k+t] != 0xFFFFFFFFu) { puts("pad"); return 1; }
  }
  float d[3] = {8, 8, 8}; double ts[3] = {90, 100, 110};
  blockIdx.x = 0; decay(d, ts, 3, 100.0, 10.0);
  if (d[0] != 4 || d[1] != 8 || d[2] != 8) { puts("decay"); return 1; }
  puts("emulated kernels: OK");
}
