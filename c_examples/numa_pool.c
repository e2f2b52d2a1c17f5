/* numa_pool.c — request objects from an ultra pool, allocated on producer
 * threads and freed on consumer threads, handed over through a small
 * mutex-protected queue; per-request scratch strings from an arena; node-bound
 * pages; bad input. Prints where its memory lives and verifies everything. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ultra.h>

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      char msg_[256];                                                        \
      ultra_last_error(msg_, sizeof msg_);                                   \
      fprintf(stderr, "numa_pool: %s failed (line %d; last error: %s)\n", #cond, \
              __LINE__, msg_);                                               \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

typedef struct {
  uint64_t id;
  uint32_t producer;
  uint32_t checksum;
  char path[48];
} request_t;

static uint32_t checksum(const request_t *r) {
  uint32_t h = 2166136261u ^ (uint32_t)r->id ^ (r->producer << 24);
  for (size_t i = 0; i < sizeof r->path; i++) h = (h ^ (uint8_t)r->path[i]) * 16777619u;
  return h;
}

/* A bounded queue of request pointers: one mutex, two condition variables. */
#define QCAP 256
typedef struct {
  request_t *items[QCAP];
  size_t head, len;
  int producers_left;
  pthread_mutex_t mu;
  pthread_cond_t not_empty, not_full;
} queue_t;

static void queue_push(queue_t *q, request_t *r) {
  pthread_mutex_lock(&q->mu);
  while (q->len == QCAP) pthread_cond_wait(&q->not_full, &q->mu);
  q->items[(q->head + q->len++) % QCAP] = r;
  pthread_cond_signal(&q->not_empty);
  pthread_mutex_unlock(&q->mu);
}

/* NULL once every producer is done and the queue is drained. */
static request_t *queue_pop(queue_t *q) {
  pthread_mutex_lock(&q->mu);
  while (q->len == 0 && q->producers_left > 0) pthread_cond_wait(&q->not_empty, &q->mu);
  request_t *r = NULL;
  if (q->len > 0) {
    r = q->items[q->head];
    q->head = (q->head + 1) % QCAP;
    q->len--;
    pthread_cond_signal(&q->not_full);
  }
  pthread_mutex_unlock(&q->mu);
  return r;
}

static void producer_done(queue_t *q) {
  pthread_mutex_lock(&q->mu);
  q->producers_left--;
  pthread_cond_broadcast(&q->not_empty);
  pthread_mutex_unlock(&q->mu);
}

#define PRODUCERS 3
#define CONSUMERS 2

typedef struct {
  ultra_pool_t *pool;
  queue_t *queue;
  uint32_t index;
  uint64_t count;
  uint64_t handled;
  int bad;
} worker_t;

static void *produce(void *arg) {
  worker_t *w = arg;
  for (uint64_t i = 0; i < w->count; i++) {
    request_t *r = ultra_pool_alloc(w->pool);
    if (r == NULL) {
      w->bad++;
      break;
    }
    r->id = i;
    r->producer = w->index;
    snprintf(r->path, sizeof r->path, "/v1/users/%u/posts/%llu", w->index, (unsigned long long)i);
    r->checksum = checksum(r);
    queue_push(w->queue, r);
  }
  producer_done(w->queue);
  return NULL;
}

static void *consume(void *arg) {
  worker_t *w = arg;
  /* Per-request scratch memory: a small arena reset after each request. */
  ultra_arena_t *scratch = NULL;
  if (ultra_arena_new(4096, -1, &scratch) != ULTRA_OK) {
    w->bad++;
    return NULL;
  }
  request_t *r;
  while ((r = queue_pop(w->queue)) != NULL) {
    if (r->checksum != checksum(r)) w->bad++;
    size_t n = strlen(r->path);
    char *copy = ultra_arena_alloc(scratch, n + 1, 1);
    if (copy == NULL) {
      w->bad++;
    } else {
      memcpy(copy, r->path, n + 1);
      if (strcmp(copy, r->path) != 0) w->bad++;
    }
    memset(r, 0xdd, sizeof *r); /* poison: a double hand-out would fail a checksum */
    if (ultra_pool_free(w->pool, r) != ULTRA_OK) w->bad++;
    if (ultra_arena_reset(scratch) != ULTRA_OK) w->bad++;
    w->handled++;
  }
  ultra_arena_free(scratch);
  return NULL;
}

static void bad_input(ultra_pool_t *pool) {
  ultra_pool_t *p = NULL;
  void *mem = NULL;
  char msg[256];
  CHECK(ultra_pool_new(0, 8, -1, &p) == ULTRA_ERR_INVALID_ARGUMENT && p == NULL);
  CHECK(ultra_last_error(msg, sizeof msg) > 0 && strstr(msg, "ultra_pool_new") != NULL);
  CHECK(ultra_pool_new(64, 3, -1, &p) == ULTRA_ERR_INVALID_ARGUMENT && p == NULL);
  CHECK(ultra_pool_new((size_t)1 << 40, 8, -1, &p) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_pool_new(64, 8, 9999, &p) == ULTRA_ERR_INVALID_ARGUMENT && p == NULL);
  CHECK(ultra_pool_new(64, 8, -7, &p) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_pool_new(64, 8, -1, NULL) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_pool_alloc(NULL) == NULL);
  CHECK(ultra_last_error(msg, sizeof msg) > 0 && strstr(msg, "NULL") != NULL);
  CHECK(ultra_pool_free(pool, NULL) == ULTRA_OK);
  CHECK(ultra_pool_stats(pool, NULL) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_numa_alloc_onnode(0, -1, 0, &mem) == ULTRA_ERR_INVALID_ARGUMENT && mem == NULL);
  CHECK(ultra_numa_alloc_onnode(SIZE_MAX, -1, 0, &mem) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_numa_alloc_onnode(4096, 4242, 0, &mem) == ULTRA_ERR_INVALID_ARGUMENT && mem == NULL);
  CHECK(ultra_numa_alloc_onnode(4096, 0, ULTRA_NUMA_INTERLEAVE, &mem) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_numa_alloc_onnode(4096, -1, 0x80, &mem) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_numa_alloc_onnode(4096, -1, 0, NULL) == ULTRA_ERR_NULL_ARGUMENT);
  int local = 0;
  CHECK(ultra_numa_free(&local, sizeof local) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_numa_free(NULL, 123) == ULTRA_OK);
  CHECK(ultra_numa_node_of(NULL, &local) == ULTRA_ERR_NULL_ARGUMENT);
  ultra_arena_t *a = NULL;
  CHECK(ultra_arena_new(0, -1, &a) == ULTRA_ERR_INVALID_ARGUMENT && a == NULL);
  CHECK(ultra_arena_new(4096, 777, &a) == ULTRA_ERR_INVALID_ARGUMENT && a == NULL);
  CHECK(ultra_arena_new(4096, -1, &a) == ULTRA_OK);
  CHECK(ultra_arena_alloc(a, 0, 8) == NULL);
  CHECK(ultra_arena_alloc(a, 16, 3) == NULL);
  CHECK(ultra_arena_alloc(a, SIZE_MAX - 64, 8) == NULL);
  CHECK(ultra_arena_alloc(NULL, 16, 8) == NULL);
  size_t used = 1, reserved = 0;
  CHECK(ultra_arena_usage(a, &used, &reserved) == ULTRA_OK && used == 0 && reserved >= 4096);
  ultra_arena_free(a);
  ultra_arena_free(NULL);
  ultra_pool_destroy(NULL);
}

/* Node-bound pages: every node with memory, every page checked after touch. */
static void node_pages(void) {
  uint32_t nodes = ultra_numa_node_count();
  CHECK(nodes >= 1);
  for (uint32_t n = 0; n < nodes; n++) {
    void *mem = NULL;
    size_t size = 16 * 4096;
    ultra_status s = ultra_numa_alloc_onnode(size, (int32_t)n, 0, &mem);
    if (s == ULTRA_ERR_UNAVAILABLE || s == ULTRA_ERR_INVALID_ARGUMENT) {
      printf("node %u: cannot bind here (%s)\n", n, ultra_status_str(s));
      continue;
    }
    CHECK(s == ULTRA_OK && mem != NULL);
    memset(mem, 0x5a, size);
    for (size_t off = 0; off < size; off += 4096) {
      int where = -1;
      CHECK(ultra_numa_node_of((char *)mem + off, &where) == ULTRA_OK);
      CHECK(where == (int)n);
    }
    printf("node %u: %zu bytes bound, every page on node %u\n", n, size, n);
    CHECK(ultra_numa_free(mem, size - 1) == ULTRA_ERR_INVALID_ARGUMENT); /* wrong size: kept */
    CHECK(ultra_numa_free(mem, size) == ULTRA_OK);
  }
  void *huge = NULL;
  CHECK(ultra_numa_alloc_onnode(3u << 20, -1, ULTRA_NUMA_HUGE_PAGES, &huge) == ULTRA_OK);
  CHECK(((uintptr_t)huge & ((2u << 20) - 1)) == 0);
  memset(huge, 1, 3u << 20);
  CHECK(ultra_numa_free(huge, 3u << 20) == ULTRA_OK);
  void *spread = NULL;
  CHECK(ultra_numa_alloc_onnode(1u << 20, -1, ULTRA_NUMA_INTERLEAVE, &spread) == ULTRA_OK);
  memset(spread, 2, 1u << 20);
  CHECK(ultra_numa_free(spread, 1u << 20) == ULTRA_OK);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t per_producer = quick ? 2000 : 100000;
  printf("numa_pool: %u NUMA node(s), main thread on node %d\n", ultra_numa_node_count(),
         ultra_numa_current_node());
  node_pages();

  ultra_pool_t *pool = NULL;
  CHECK(ultra_pool_new(sizeof(request_t), _Alignof(request_t), -1, &pool) == ULTRA_OK);
  bad_input(pool);

  queue_t q = {.producers_left = PRODUCERS};
  pthread_mutex_init(&q.mu, NULL);
  pthread_cond_init(&q.not_empty, NULL);
  pthread_cond_init(&q.not_full, NULL);
  worker_t prod[PRODUCERS], cons[CONSUMERS];
  pthread_t tp[PRODUCERS], tc[CONSUMERS];
  for (int i = 0; i < CONSUMERS; i++) {
    cons[i] = (worker_t){.pool = pool, .queue = &q, .index = (uint32_t)i};
    CHECK(pthread_create(&tc[i], NULL, consume, &cons[i]) == 0);
  }
  for (int i = 0; i < PRODUCERS; i++) {
    prod[i] = (worker_t){.pool = pool, .queue = &q, .index = (uint32_t)i, .count = per_producer};
    CHECK(pthread_create(&tp[i], NULL, produce, &prod[i]) == 0);
  }
  for (int i = 0; i < PRODUCERS; i++) CHECK(pthread_join(tp[i], NULL) == 0);
  uint64_t handled = 0;
  for (int i = 0; i < CONSUMERS; i++) {
    CHECK(pthread_join(tc[i], NULL) == 0);
    CHECK(cons[i].bad == 0);
    handled += cons[i].handled;
  }
  for (int i = 0; i < PRODUCERS; i++) CHECK(prod[i].bad == 0);
  CHECK(handled == PRODUCERS * per_producer);

  ultra_pool_stats_t st;
  CHECK(ultra_pool_stats(pool, &st) == ULTRA_OK);
  CHECK(st.live_objects == 0);
  CHECK(st.slabs >= 1 && st.object_stride == sizeof(request_t));
  printf("pool: %llu requests through %d producer and %d consumer threads, %zu slab(s), %zu bytes\n",
         (unsigned long long)handled, PRODUCERS, CONSUMERS, st.slabs, st.reserved_bytes);
  for (uint32_t n = 0; n < ultra_numa_node_count(); n++) {
    size_t bytes = 0;
    CHECK(ultra_pool_node_bytes(pool, (int32_t)n, &bytes) == ULTRA_OK);
    if (bytes > 0) printf("pool: %zu bytes of slabs on node %u\n", bytes, n);
  }
  request_t *probe = ultra_pool_alloc(pool);
  CHECK(probe != NULL);
  memset(probe, 0, sizeof *probe);
  int where = -1;
  ultra_status s = ultra_numa_node_of(probe, &where);
  CHECK(s == ULTRA_OK || s == ULTRA_ERR_UNAVAILABLE);
  if (s == ULTRA_OK) printf("pool: a request object lives on node %d\n", where);
  CHECK(ultra_pool_stats(pool, &st) == ULTRA_OK && st.live_objects == 1);
  CHECK(ultra_pool_free(pool, probe) == ULTRA_OK);
  ultra_pool_destroy(pool);
  pthread_mutex_destroy(&q.mu);
  pthread_cond_destroy(&q.not_empty);
  pthread_cond_destroy(&q.not_full);
  printf("numa_pool: OK\n");
  return 0;
}
