/* gpu_topk.c — rank a million scores with ultra's top-k, on the GPU when one
 * opens and on the CPU otherwise (NULL gpu), verify against a simple C
 * reference, decay them, and check the error paths. `--quick` ranks fewer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ultra.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      char msg_[256];                                                          \
      ultra_last_error(msg_, sizeof msg_);                                     \
      fprintf(stderr, "gpu_topk: %s failed (line %d): %s\n", #cond, __LINE__, \
              msg_);                                                           \
      return 1;                                                                \
    }                                                                          \
  } while (0)

/* Reference: one selection pass per rank (O(n k)); the order is value
 * descending, ties by lower index. The inputs here hold no NaN. */
static int reference_topk(const float *s, size_t n, size_t k, uint32_t *idx) {
  unsigned char *taken = calloc(n, 1);
  if (!taken) return -1;
  for (size_t r = 0; r < k; r++) {
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
      if (taken[i]) continue;
      if (best == n || s[i] > s[best]) best = i;
    }
    taken[best] = 1;
    idx[r] = (uint32_t)best;
  }
  free(taken);
  return 0;
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  size_t n = quick ? 20000 : 1000000;
  size_t k = 100;

  int count = -1;
  CHECK(ultra_gpu_device_count(&count) == ULTRA_OK);
  CHECK(count >= 0);

  ultra_gpu_t *gpu = NULL;
  ultra_gpu_config_t cfg = ultra_gpu_config_default();
  ultra_status st = count > 0 ? ultra_gpu_open(0, &cfg, &gpu) : ULTRA_ERR_UNAVAILABLE;
  if (count == 0) {
    /* No driver or no device: opening must fail cleanly and leave out alone. */
    CHECK(ultra_gpu_open(0, &cfg, &gpu) == ULTRA_ERR_UNAVAILABLE);
    CHECK(gpu == NULL);
    ultra_gpu_info_t info;
    CHECK(ultra_gpu_device_info(0, &info) == ULTRA_ERR_UNAVAILABLE);
  }
  if (st == ULTRA_OK) {
    ultra_gpu_info_t info;
    CHECK(ultra_gpu_device_info(0, &info) == ULTRA_OK);
    printf("gpu_topk: GPU path on %s (sm %d.%d, NUMA node %d)\n", info.name,
           info.compute_major, info.compute_minor, info.numa_node);
  } else {
    gpu = NULL;
    printf("gpu_topk: CPU path (no GPU: %s)\n", ultra_status_str(st));
  }

  float *scores = malloc(n * sizeof *scores);
  double *ts = malloc(n * sizeof *ts);
  uint32_t *idx = malloc(k * sizeof *idx), *ref = malloc(k * sizeof *ref);
  float *val = malloc(k * sizeof *val);
  CHECK(scores && ts && idx && ref && val);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    scores[i] = (float)(x % 100000) / 100.0f; /* many ties */
    ts[i] = (double)(x % 7200);
  }

  CHECK(ultra_gpu_topk_f32(gpu, scores, n, k, idx, val) == ULTRA_OK);
  CHECK(reference_topk(scores, n, k, ref) == 0);
  for (size_t r = 0; r < k; r++) {
    CHECK(idx[r] == ref[r]);
    CHECK(val[r] == scores[ref[r]]);
  }
  printf("gpu_topk: top-%zu of %zu scores: best %.2f at %u\n", k, n, val[0], idx[0]);

  /* Decay by one hour's half-life at now = 3600, then rank again. */
  float before[4] = {scores[0], scores[1], scores[2], scores[3]};
  CHECK(ultra_gpu_decay_f32(gpu, scores, ts, n, 3600.0, 3600.0) == ULTRA_OK);
  for (int i = 0; i < 4; i++) {
    double age = 3600.0 - ts[i];
    double want = before[i] * (age > 0 ? pow(0.5, age / 3600.0) : 1.0);
    CHECK(fabs(scores[i] - want) <= 1e-5 * fabs(want) + 1e-30);
  }
  CHECK(ultra_gpu_topk_f32(gpu, scores, n, k, idx, val) == ULTRA_OK);
  CHECK(reference_topk(scores, n, k, ref) == 0);
  for (size_t r = 0; r < k; r++) CHECK(idx[r] == ref[r]);

  /* Batched: three segments, k = 2, fixed stride. */
  const float seg_scores[] = {1, 5, 3, 9, 2, 7};
  const size_t offsets[] = {0, 3, 3, 6};
  uint32_t bidx[6], bcnt[3];
  float bval[6];
  CHECK(ultra_gpu_topk_batched_f32(gpu, seg_scores, 6, offsets, 4, 2, bidx, bval, bcnt) ==
        ULTRA_OK);
  CHECK(bcnt[0] == 2 && bcnt[1] == 0 && bcnt[2] == 2);
  CHECK(bidx[0] == 1 && bidx[1] == 2 && bidx[4] == 0 && bidx[5] == 2);
  CHECK(bidx[2] == UINT32_MAX && isnan(bval[2]));

  /* Bad input: status, a message, and nothing written. */
  uint32_t keep = 12345;
  CHECK(ultra_gpu_topk_f32(gpu, NULL, 10, 1, &keep, val) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(keep == 12345 && ultra_last_error(NULL, 0) > 0);
  CHECK(ultra_gpu_topk_f32(gpu, scores, n, 1, NULL, val) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_gpu_topk_f32(gpu, scores, 0, 5, NULL, NULL) == ULTRA_OK);
  float one = 1.0f;
  double t0 = 0.0;
  CHECK(ultra_gpu_decay_f32(gpu, &one, &t0, 1, 1.0, 0.0) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(one == 1.0f);
  CHECK(ultra_gpu_device_count(NULL) == ULTRA_ERR_NULL_ARGUMENT);
  ultra_gpu_stream_t *stream = NULL;
  CHECK(ultra_gpu_stream_new(NULL, &stream) == ULTRA_ERR_NULL_ARGUMENT && stream == NULL);
  ultra_gpu_pinned_t *pinned = NULL;
  CHECK(ultra_gpu_pinned_alloc(NULL, 64, &pinned) == ULTRA_ERR_NULL_ARGUMENT && pinned == NULL);
  CHECK(ultra_gpu_pinned_data(NULL) == NULL);

  ultra_gpu_close(NULL);
  ultra_gpu_stream_free(NULL);
  ultra_gpu_buffer_free(NULL);
  ultra_gpu_pinned_free(NULL);
  ultra_gpu_close(gpu);
  free(scores), free(ts), free(idx), free(ref), free(val);
  printf("gpu_topk: OK\n");
  return 0;
}
