/* ring_pipeline.c — a pthread producer and consumer hand variable-length
 * records through an ultra SPSC ring; two producers and two consumers share
 * an MPMC ring. Every record carries its sequence number and a checksum of
 * its payload, and both sides fold every byte into an FNV-1a hash that must
 * agree at the end. Also checks the documented error statuses.
 *
 *   cc -std=c11 ring_pipeline.c -I include -L target/release -lultra -lpthread
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ultra.h>

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "ring_pipeline: %s failed (line %d)\n", #cond, __LINE__); \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

#define MAX_RECORD 200

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* Record `seq`: 8-byte seq, 4-byte payload checksum, then a payload whose
 * length and bytes derive from seq. Returns the total length. */
static size_t make_record(uint64_t seq, uint8_t *out) {
  size_t payload = (size_t)((seq * 2654435761u) % (MAX_RECORD - 12));
  for (size_t i = 0; i < payload; i++) out[12 + i] = (uint8_t)(seq * 31 + i);
  uint32_t sum = (uint32_t)fnv1a(14695981039346656037ull, out + 12, payload);
  memcpy(out, &seq, 8);
  memcpy(out + 8, &sum, 4);
  return 12 + payload;
}

/* Verify a record's own checksum and return its sequence number. */
static uint64_t check_record(const uint8_t *rec, size_t len) {
  uint64_t seq;
  uint32_t sum;
  CHECK(len >= 12);
  memcpy(&seq, rec, 8);
  memcpy(&sum, rec + 8, 4);
  CHECK(sum == (uint32_t)fnv1a(14695981039346656037ull, rec + 12, len - 12));
  uint8_t want[MAX_RECORD];
  CHECK(make_record(seq, want) == len);
  return seq;
}

typedef struct {
  ultra_spsc_t *spsc;
  ultra_mpmc_t *mpmc;
  uint64_t first, count; /* sequence numbers first .. first + count */
  uint64_t hash;         /* FNV-1a of every byte sent or received */
  uint64_t sum;          /* sum of sequence numbers received (MPMC) */
  uint64_t received;
  uint64_t *total_received; /* shared progress counter (MPMC consumers) */
  pthread_mutex_t *lock;
  uint64_t total;
} worker_t;

static void *spsc_producer(void *arg) {
  worker_t *w = arg;
  uint8_t rec[MAX_RECORD];
  w->hash = 14695981039346656037ull;
  for (uint64_t s = w->first; s < w->first + w->count; s++) {
    size_t len = make_record(s, rec);
    ultra_status st;
    while ((st = ultra_spsc_push(w->spsc, rec, len)) == ULTRA_ERR_FULL) sched_yield();
    CHECK(st == ULTRA_OK);
    w->hash = fnv1a(w->hash, rec, len);
  }
  return NULL;
}

static void *spsc_consumer(void *arg) {
  worker_t *w = arg;
  uint8_t rec[MAX_RECORD];
  w->hash = 14695981039346656037ull;
  for (uint64_t want = w->first; want < w->first + w->count;) {
    size_t len = 0;
    ultra_status st = ultra_spsc_pop(w->spsc, rec, sizeof rec, &len);
    if (st == ULTRA_ERR_EMPTY) {
      sched_yield();
      continue;
    }
    CHECK(st == ULTRA_OK);
    CHECK(check_record(rec, len) == want); /* in order */
    w->hash = fnv1a(w->hash, rec, len);
    want++;
  }
  return NULL;
}

static void *mpmc_producer(void *arg) {
  worker_t *w = arg;
  uint8_t rec[MAX_RECORD];
  for (uint64_t s = w->first; s < w->first + w->count; s++) {
    size_t len = make_record(s, rec);
    ultra_status st;
    while ((st = ultra_mpmc_push(w->mpmc, rec, len)) == ULTRA_ERR_FULL) sched_yield();
    CHECK(st == ULTRA_OK);
  }
  return NULL;
}

static void *mpmc_consumer(void *arg) {
  worker_t *w = arg;
  uint8_t rec[MAX_RECORD];
  for (;;) {
    pthread_mutex_lock(w->lock);
    int done = *w->total_received == w->total;
    pthread_mutex_unlock(w->lock);
    if (done) break;
    size_t len = 0;
    ultra_status st = ultra_mpmc_pop(w->mpmc, rec, sizeof rec, &len);
    if (st == ULTRA_ERR_EMPTY) {
      sched_yield();
      continue;
    }
    CHECK(st == ULTRA_OK);
    w->sum += check_record(rec, len);
    w->received++;
    pthread_mutex_lock(w->lock);
    (*w->total_received)++;
    pthread_mutex_unlock(w->lock);
  }
  return NULL;
}

static void bad_input(void) {
  ultra_spsc_t *r = NULL;
  ultra_mpmc_t *q = NULL;
  char msg[256];
  CHECK(ultra_spsc_new(0, &r) == ULTRA_ERR_INVALID_ARGUMENT && r == NULL);
  CHECK(ultra_last_error(msg, sizeof msg) > 0);
  CHECK(ultra_spsc_new(64, NULL) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_mpmc_new(4, 0, &q) == ULTRA_ERR_INVALID_ARGUMENT && q == NULL);
  CHECK(ultra_spsc_new(64, &r) == ULTRA_OK);
  CHECK(ultra_spsc_capacity(r) == 64 && ultra_spsc_max_record(r) == 60);
  uint8_t big[61] = {0}, small[4];
  size_t len = 0;
  CHECK(ultra_spsc_push(r, big, sizeof big) == ULTRA_ERR_INVALID_ARGUMENT);
  CHECK(ultra_spsc_push(NULL, big, 1) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_spsc_push(r, (const uint8_t *)"hello", 5) == ULTRA_OK);
  CHECK(ultra_spsc_pop(r, small, sizeof small, &len) == ULTRA_ERR_BUFFER_TOO_SMALL && len == 5);
  CHECK(ultra_last_error(msg, sizeof msg) > 0 && strstr(msg, "5 bytes needed") != NULL);
  CHECK(ultra_spsc_len(r) == 1);
  CHECK(ultra_spsc_peek_len(r, &len) == ULTRA_OK && len == 5);
  CHECK(ultra_spsc_pop(r, big, sizeof big, &len) == ULTRA_OK && len == 5);
  CHECK(memcmp(big, "hello", 5) == 0);
  CHECK(ultra_spsc_pop(r, big, sizeof big, &len) == ULTRA_ERR_EMPTY);
  ultra_spsc_free(r);
  ultra_spsc_free(NULL);
  ultra_mpmc_free(NULL);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t n = quick ? 5000 : 500000;
  bad_input();

  /* SPSC: one producer, one consumer, in order, identical byte hashes. */
  worker_t prod = {0}, cons = {0};
  CHECK(ultra_spsc_new(4096, &prod.spsc) == ULTRA_OK);
  cons.spsc = prod.spsc;
  prod.count = cons.count = n;
  pthread_t tp, tc;
  CHECK(pthread_create(&tp, NULL, spsc_producer, &prod) == 0);
  CHECK(pthread_create(&tc, NULL, spsc_consumer, &cons) == 0);
  pthread_join(tp, NULL);
  pthread_join(tc, NULL);
  CHECK(prod.hash == cons.hash);
  CHECK(ultra_spsc_is_empty(prod.spsc));
  ultra_spsc_free(prod.spsc);
  printf("spsc: %llu records, hash %016llx\n", (unsigned long long)n,
         (unsigned long long)cons.hash);

  /* MPMC: two producers, two consumers, every record exactly once. */
  ultra_mpmc_t *q = NULL;
  CHECK(ultra_mpmc_new(256, MAX_RECORD, &q) == ULTRA_OK);
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  uint64_t total_received = 0;
  worker_t w[4];
  pthread_t t[4];
  for (int i = 0; i < 4; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].mpmc = q;
    w[i].first = (uint64_t)(i % 2) * n;
    w[i].count = n;
    w[i].lock = &lock;
    w[i].total_received = &total_received;
    w[i].total = 2 * n;
    CHECK(pthread_create(&t[i], NULL, i < 2 ? mpmc_producer : mpmc_consumer, &w[i]) == 0);
  }
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  uint64_t want = (2 * n) * (2 * n - 1) / 2;
  CHECK(w[2].received + w[3].received == 2 * n);
  CHECK(w[2].sum + w[3].sum == want);
  CHECK(ultra_mpmc_len(q) == 0);
  /* A record left queued is freed with the queue. */
  CHECK(ultra_mpmc_push(q, (const uint8_t *)"left", 4) == ULTRA_OK);
  ultra_mpmc_free(q);
  printf("mpmc: %llu records from 2 producers to 2 consumers\n", (unsigned long long)(2 * n));
  printf("ring_pipeline: OK\n");
  return 0;
}
