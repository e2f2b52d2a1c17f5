// ring_pipeline.cpp — the C++ face of the rings: ultra::spsc_ring between a
// producer and a consumer std::thread, ultra::mpmc_ring shared by four
// threads, every record checked; errors arrive as ultra::error.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <ultra.hpp>

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "ring_pipeline: %s failed (line %d)\n", #cond, __LINE__); \
      std::exit(1);                                                             \
    }                                                                           \
  } while (0)

static std::string record(uint64_t seq) {
  std::string r = "event:" + std::to_string(seq) + ":";
  r.append(seq % 37, static_cast<char>('a' + seq % 26));
  return r;
}

static uint64_t seq_of(const std::vector<uint8_t>& r) {
  std::string s(r.begin(), r.end());
  uint64_t seq = std::stoull(s.substr(6));
  CHECK(s == record(seq));
  return seq;
}

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const uint64_t n = quick ? 3000 : 300000;

  // Errors are exceptions carrying the status and the last-error text.
  try {
    ultra::spsc_ring bad(0);
    CHECK(false);
  } catch (const ultra::error& e) {
    CHECK(e.status() == ULTRA_ERR_INVALID_ARGUMENT);
    CHECK(std::string(e.what()).find("capacity") != std::string::npos);
  }

  ultra::spsc_ring ring(1024);
  CHECK(ring.capacity() == 1024 && ring.empty());
  try {
    ring.push(std::string(ring.max_record() + 1, 'x'));
    CHECK(false);
  } catch (const ultra::error& e) {
    CHECK(e.status() == ULTRA_ERR_INVALID_ARGUMENT);
  }
  ring.push("hello");
  uint8_t tiny[2];
  try {
    ring.try_pop(tiny, sizeof tiny);
    CHECK(false);
  } catch (const ultra::error& e) {
    CHECK(e.status() == ULTRA_ERR_BUFFER_TOO_SMALL);
  }
  CHECK(ring.peek_size() == 5u);
  CHECK(ring.pop() == std::vector<uint8_t>({'h', 'e', 'l', 'l', 'o'}));
  CHECK(!ring.try_pop());

  std::thread producer([&] {
    for (uint64_t i = 0; i < n;) {
      if (ring.try_push(record(i))) i++;
      else std::this_thread::yield();
    }
  });
  for (uint64_t want = 0; want < n;) {
    if (auto r = ring.try_pop()) {
      CHECK(seq_of(*r) == want);
      want++;
    } else {
      std::this_thread::yield();
    }
  }
  producer.join();
  std::printf("spsc_ring: %llu records in order\n", static_cast<unsigned long long>(n));

  ultra::mpmc_ring q(64, 64);
  CHECK(q.capacity() == 64 && q.slot_size() == 64);
  std::atomic<uint64_t> received{0}, sum{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; p++) {
    threads.emplace_back([&, p] {
      for (uint64_t i = p * n; i < (p + 1) * n;) {
        if (q.try_push(record(i))) i++;
        else std::this_thread::yield();
      }
    });
  }
  for (int c = 0; c < 2; c++) {
    threads.emplace_back([&] {
      uint8_t buf[64];
      while (received.load() < 2 * n) {
        if (auto len = q.try_pop(buf, sizeof buf)) {
          sum += seq_of(std::vector<uint8_t>(buf, buf + *len));
          received++;
        } else {
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(sum.load() == (2 * n) * (2 * n - 1) / 2);
  CHECK(q.empty());
  std::printf("mpmc_ring: %llu records exactly once\n", static_cast<unsigned long long>(2 * n));
  std::printf("ring_pipeline: OK\n");
  return 0;
}
