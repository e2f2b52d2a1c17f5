// numa_pool_raii.cpp — the C++ RAII wrappers of the alloc pillar: node-bound
// memory, a pool shared by threads, a per-request arena; errors as exceptions.
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include <ultra.hpp>

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "numa_pool_raii: %s failed (line %d)\n", #cond, __LINE__); \
      return 1;                                                                       \
    }                                                                                 \
  } while (0)

struct request {
  unsigned id;
  char path[28];
};

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const unsigned n = quick ? 1000 : 50000;

  ultra::numa_memory mem(1 << 16, 0);
  std::memset(mem.data(), 1, mem.size());
  int node = -1;
  try {
    node = mem.node_of(4096);
  } catch (const ultra::error& e) {
    CHECK(e.status() == ULTRA_ERR_UNAVAILABLE);
  }
  std::printf("numa_memory: 64 KiB bound to node 0, page 1 on node %d\n", node);

  bool threw = false;
  try {
    ultra::pool bad(0, 8);
  } catch (const ultra::error& e) {
    threw = e.status() == ULTRA_ERR_INVALID_ARGUMENT && std::strstr(e.what(), "object size") != nullptr;
  }
  CHECK(threw);

  ultra::pool pool(sizeof(request), alignof(request));
  std::vector<request*> reqs(n);
  std::thread producer([&] {
    for (unsigned i = 0; i < n; i++) {
      reqs[i] = static_cast<request*>(pool.alloc());
      reqs[i]->id = i;
      std::snprintf(reqs[i]->path, sizeof reqs[i]->path, "/posts/%u", i);
    }
  });
  producer.join();
  CHECK(pool.stats().live_objects == n);
  unsigned ok = 0;
  std::thread consumer([&] {
    ultra::arena scratch(4096);
    for (unsigned i = 0; i < n; i++) {
      std::string_view copy = scratch.copy(reqs[i]->path);
      if (reqs[i]->id == i && copy == reqs[i]->path) ok++;
      pool.free(reqs[i]);
      scratch.reset();
    }
  });
  consumer.join();
  CHECK(ok == n);
  CHECK(pool.stats().live_objects == 0);
  std::printf("pool: %u requests allocated on one thread, freed on another\n", n);
  std::printf("numa_pool_raii: OK\n");
  return 0;
}
