/* post_cache.c: the blog-post scenario. Several threads serve
 * GET /api/posts/{id} from an ultra cache, loading from a simulated backend on
 * a miss and printing HIT/MISS with the entry's age; post 42 is then updated
 * and every key under "post:42" invalidated by prefix; the final stats are
 * printed and checked. Exits 0 and prints "post_cache: OK" on success. */
#include <ultra.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define POSTS 64

static atomic_ulong backend_loads;
static atomic_int version42 = 1;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      char msg[256];                                                  \
      ultra_last_error(msg, sizeof msg);                              \
      fprintf(stderr, "check failed at line %d: %s (last error: %s)\n", \
              __LINE__, #cond, msg);                                  \
      exit(1);                                                        \
    }                                                                 \
  } while (0)

/* The "backend": renders a post body. */
static int load_post(int id, char *out, size_t cap) {
  atomic_fetch_add(&backend_loads, 1);
  int v = id == 42 ? atomic_load(&version42) : 1;
  return snprintf(out, cap, "{\"id\":%d,\"version\":%d,\"title\":\"post %d\"}", id, v, id);
}

typedef struct {
  const ultra_cache_t *cache;
  int thread;
  int requests;
  int verbose;
  unsigned long hits, misses;
} worker_t;

/* Serve one GET /api/posts/{id}: the zero-copy read on a hit, the backend and
 * a put on a miss. Verifies the body belongs to the requested id. */
static void serve(worker_t *w, int id) {
  char key[32];
  int klen = snprintf(key, sizeof key, "post:%d", id);
  ultra_value_t *v = NULL;
  ultra_status s = ultra_cache_get_value(w->cache, (const uint8_t *)key, (size_t)klen, &v);
  char expect[32];
  snprintf(expect, sizeof expect, "{\"id\":%d,", id);
  if (s == ULTRA_OK) {
    size_t len = 0;
    const uint8_t *body = ultra_value_data(v, &len);
    CHECK(body != NULL && len > strlen(expect));
    CHECK(memcmp(body, expect, strlen(expect)) == 0);
    if (w->verbose)
      printf("[t%d] GET /api/posts/%d -> X-Cache: HIT, Age: %llu ms\n", w->thread, id,
             (unsigned long long)ultra_value_age_ms(v));
    ultra_value_release(v);
    w->hits++;
  } else {
    CHECK(s == ULTRA_ERR_NOT_FOUND);
    char body[128];
    int n = load_post(id, body, sizeof body);
    CHECK(ultra_cache_put(w->cache, (const uint8_t *)key, (size_t)klen, (const uint8_t *)body,
                          (size_t)n, 0) == ULTRA_OK);
    if (w->verbose) printf("[t%d] GET /api/posts/%d -> X-Cache: MISS\n", w->thread, id);
    w->misses++;
  }
}

static void *worker(void *arg) {
  worker_t *w = arg;
  unsigned x = 2463534242u + (unsigned)w->thread * 7919u;
  for (int i = 0; i < w->requests; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    /* Skewed popularity: half the requests go to 8 posts. */
    int id = (x & 1) ? (int)(x >> 8) % 8 + 40 : (int)(x >> 8) % POSTS;
    w->verbose = i < 3;
    serve(w, id);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  int per_thread = quick ? 200 : 5000;

  ultra_cache_config_t cfg = ultra_cache_config_default();
  cfg.capacity = 1000;
  cfg.max_bytes = 1 << 20;
  cfg.default_ttl_ms = 60000;
  ultra_cache_t *cache = NULL;
  CHECK(ultra_cache_new(&cfg, &cache) == ULTRA_OK);

  /* Bad input is refused without changing anything. */
  ultra_cache_config_t bad = cfg;
  bad.capacity = 0;
  ultra_cache_t *none = NULL;
  CHECK(ultra_cache_new(&bad, &none) == ULTRA_ERR_INVALID_ARGUMENT && none == NULL);
  CHECK(ultra_cache_put(cache, NULL, 3, (const uint8_t *)"x", 1, 0) == ULTRA_ERR_NULL_ARGUMENT);

  pthread_t th[THREADS];
  worker_t w[THREADS];
  for (int t = 0; t < THREADS; t++) {
    w[t] = (worker_t){cache, t, per_thread, 0, 0, 0};
    CHECK(pthread_create(&th[t], NULL, worker, &w[t]) == 0);
  }
  unsigned long hits = 0, misses = 0;
  for (int t = 0; t < THREADS; t++) {
    pthread_join(th[t], NULL);
    hits += w[t].hits;
    misses += w[t].misses;
  }

  /* Post 42 is updated: bump its version, store its comments, invalidate. */
  CHECK(ultra_cache_put(cache, (const uint8_t *)"post:42:comments", 16, (const uint8_t *)"[]", 2,
                        0) == ULTRA_OK);
  atomic_store(&version42, 2);
  uint64_t removed = 0;
  CHECK(ultra_cache_remove_prefix(cache, (const uint8_t *)"post:42", 7, &removed) == ULTRA_OK);
  printf("updated post 42: invalidated %llu keys under \"post:42\"\n", (unsigned long long)removed);
  CHECK(removed == 2); /* post:42 and post:42:comments; post:4 is not under the prefix */

  /* The next read misses and sees the new version; the one after hits. */
  worker_t main_w = {cache, 99, 0, 1, 0, 0};
  serve(&main_w, 42);
  serve(&main_w, 42);
  CHECK(main_w.misses == 1 && main_w.hits == 1);
  char buf[8];
  size_t need = 0;
  CHECK(ultra_cache_get(cache, (const uint8_t *)"post:42", 7, (uint8_t *)buf, sizeof buf, &need) ==
        ULTRA_ERR_BUFFER_TOO_SMALL);
  char body[128];
  size_t blen = 0;
  CHECK(need < sizeof body);
  CHECK(ultra_cache_get(cache, (const uint8_t *)"post:42", 7, (uint8_t *)body, sizeof body, &blen) ==
        ULTRA_OK);
  body[blen] = '\0';
  CHECK(blen == need && strstr(body, "\"version\":2") != NULL);

  ultra_cache_stats_t st;
  CHECK(ultra_cache_stats(cache, &st) == ULTRA_OK);
  printf("stats: hits=%llu misses=%llu inserts=%llu updates=%llu evictions=%llu removals=%llu "
         "entries=%llu bytes=%llu backend_loads=%lu\n",
         (unsigned long long)st.hits, (unsigned long long)st.misses, (unsigned long long)st.inserts,
         (unsigned long long)st.updates, (unsigned long long)st.evictions,
         (unsigned long long)st.removals, (unsigned long long)st.entries,
         (unsigned long long)st.weight, atomic_load(&backend_loads));
  /* The serve() reads plus the two ultra_cache_get calls above. */
  CHECK(st.hits + st.misses == hits + misses + 2 + 2);
  CHECK(st.misses == misses + 1);
  CHECK(atomic_load(&backend_loads) == misses + 1);
  CHECK(st.entries <= 1000 && st.weight <= (1u << 20));
  CHECK(st.entries == st.inserts - st.evictions - st.removals - st.expirations);
  CHECK(hits > misses); /* 64 posts fit: after warm-up everything hits */

  ultra_cache_free(cache);
  ultra_cache_free(NULL);
  printf("post_cache: OK\n");
  return 0;
}
