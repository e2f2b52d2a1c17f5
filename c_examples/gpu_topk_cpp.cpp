// gpu_topk_cpp.cpp — the C++ wrapper: rank on the GPU when one opens, on the
// CPU otherwise, through the same calls; errors arrive as ultra::error.
#include <cstdio>
#include <cstring>
#include <vector>

#include <ultra.hpp>

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  size_t n = quick ? 10000 : 100000;  // >= 5 copies of 999
  ultra::gpu g = ultra::gpu::open_or_cpu();
  std::printf("gpu_topk_cpp: %s path (%d devices)\n", g ? "GPU" : "CPU", ultra::gpu_device_count());

  std::vector<float> scores(n);
  std::vector<double> ts(n, 0.0);
  for (size_t i = 0; i < n; i++) scores[i] = float((i * 7919) % 1000);
  ultra::topk_result r = g.topk(scores, 5);
  // 999 appears at the lowest indices i with i*7919 % 1000 == 999.
  if (r.indices.size() != 5 || r.values[0] != 999.0f || r.values[4] != 999.0f) return 1;
  for (size_t j = 1; j < 5; j++)
    if (r.indices[j] <= r.indices[j - 1]) return 1;

  g.decay(scores, ts, 10.0, 10.0);
  if (scores[1] != float((7919 % 1000)) / 2.0f) return 1;

  try {
    g.decay(scores, ts, 1.0, -1.0);
    return 1;
  } catch (const ultra::error& e) {
    if (e.status() != ULTRA_ERR_INVALID_ARGUMENT) return 1;
  }
  if (!g) {
    try {
      (void)ultra::gpu::open();
      return 1;
    } catch (const ultra::error& e) {
      if (e.status() != ULTRA_ERR_UNAVAILABLE) return 1;
    }
  }
  std::printf("gpu_topk_cpp: OK\n");
  return 0;
}
