// ultra.hpp — header-only C++17 wrapper over ultra.h.
//
// Every handle is an RAII, move-only class; every failure is thrown as
// ultra::error, which carries the ultra_status and the ultra_last_error text.
// Byte inputs take ultra::bytes_view, which converts from std::string_view,
// std::string, std::vector<uint8_t> and (pointer, length).
//
// Link: c++ -std=c++17 app.cpp -I<ultra>/include -L<libdir> -lultra
#ifndef ULTRA_HPP
#define ULTRA_HPP

#include <ultra.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ultra {

// The text of the last failure on this thread (empty if none).
inline std::string last_error() {
  size_t n = ultra_last_error(nullptr, 0);
  std::vector<char> buf(n + 1);
  ultra_last_error(buf.data(), buf.size());
  return std::string(buf.data(), n);
}

// A failed ultra call: status() is the ultra_status, what() the message.
class error : public std::runtime_error {
 public:
  error(ultra_status status, const std::string& message)
      : std::runtime_error(message.empty() ? std::string(ultra_status_str(status)) : message),
        status_(status) {}
  ultra_status status() const noexcept { return status_; }

 private:
  ultra_status status_;
};

// Throw ultra::error unless status is ULTRA_OK.
inline void check(ultra_status status) {
  if (status != ULTRA_OK) throw error(status, last_error());
}

inline const char* version() noexcept { return ultra_version(); }
inline uint32_t abi_version() noexcept { return ultra_abi_version(); }

// A read-only view of bytes: what every ultra call takes as input.
class bytes_view {
 public:
  constexpr bytes_view() noexcept = default;
  constexpr bytes_view(const uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}
  bytes_view(const void* data, size_t size) noexcept
      : data_(static_cast<const uint8_t*>(data)), size_(size) {}
  bytes_view(std::string_view s) noexcept  // NOLINT: implicit by design
      : data_(reinterpret_cast<const uint8_t*>(s.data())), size_(s.size()) {}
  bytes_view(const std::string& s) noexcept  // NOLINT
      : bytes_view(std::string_view(s)) {}
  bytes_view(const char* s) noexcept  // NOLINT
      : bytes_view(std::string_view(s)) {}
  bytes_view(const std::vector<uint8_t>& v) noexcept  // NOLINT
      : data_(v.data()), size_(v.size()) {}

  constexpr const uint8_t* data() const noexcept { return data_; }
  constexpr size_t size() const noexcept { return size_; }
  std::string_view str() const noexcept {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

namespace detail {
// Move-only owner of a C handle released by Free.
template <class T, void (*Free)(T*)>
class handle {
 public:
  handle() noexcept = default;
  explicit handle(T* p) noexcept : p_(p) {}
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  handle(handle&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  handle& operator=(handle&& o) noexcept {
    if (this != &o) reset(std::exchange(o.p_, nullptr));
    return *this;
  }
  ~handle() { reset(); }

  T* get() const noexcept { return p_; }
  T* release() noexcept { return std::exchange(p_, nullptr); }
  void reset(T* p = nullptr) noexcept {
    if (p_) Free(p_);
    p_ = p;
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};
}  // namespace detail

// ---- pillars append their wrappers below, one section each ----

// ---- alloc ----

// NUMA nodes of this machine (1 without NUMA) and the caller's current node.
inline uint32_t numa_node_count() noexcept { return ultra_numa_node_count(); }
inline int numa_current_node() noexcept { return ultra_numa_current_node(); }

// Pages bound to a node (node -1: first touch), unmapped on destruction.
// flags: ULTRA_NUMA_HUGE_PAGES, ULTRA_NUMA_INTERLEAVE (with node -1).
class numa_memory {
 public:
  numa_memory(size_t size, int node = -1, uint32_t flags = 0) : size_(size) {
    check(ultra_numa_alloc_onnode(size, node, flags, &ptr_));
  }
  numa_memory(const numa_memory&) = delete;
  numa_memory& operator=(const numa_memory&) = delete;
  numa_memory(numa_memory&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  numa_memory& operator=(numa_memory&& o) noexcept {
    if (this != &o) {
      if (ptr_) ultra_numa_free(ptr_, size_);
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~numa_memory() {
    if (ptr_) ultra_numa_free(ptr_, size_);
  }
  void* data() const noexcept { return ptr_; }
  size_t size() const noexcept { return size_; }
  // The node holding the page at byte `offset` (touch it first).
  int node_of(size_t offset = 0) const {
    int32_t node = -1;
    check(ultra_numa_node_of(static_cast<const char*>(ptr_) + offset, &node));
    return node;
  }

 private:
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

// Fixed-size object pool; thread-safe; objects may be freed on any thread.
class pool {
 public:
  pool(size_t object_size, size_t align, int node = -1) {
    ultra_pool_t* p = nullptr;
    check(ultra_pool_new(object_size, align, node, &p));
    h_.reset(p);
  }
  // One uninitialised object; throws ultra::error when exhausted.
  void* alloc() {
    void* p = ultra_pool_alloc(h_.get());
    if (!p) throw error(ULTRA_ERR_OUT_OF_MEMORY, last_error());
    return p;
  }
  void free(void* p) { check(ultra_pool_free(h_.get(), p)); }
  ultra_pool_stats_t stats() const {
    ultra_pool_stats_t s{};
    check(ultra_pool_stats(h_.get(), &s));
    return s;
  }
  ultra_pool_t* get() const noexcept { return h_.get(); }

 private:
  detail::handle<ultra_pool_t, ultra_pool_destroy> h_;
};

// Bump arena for request-scoped data; one thread at a time.
class arena {
 public:
  explicit arena(size_t chunk_size, int node = -1) {
    ultra_arena_t* a = nullptr;
    check(ultra_arena_new(chunk_size, node, &a));
    h_.reset(a);
  }
  void* alloc(size_t size, size_t align = alignof(std::max_align_t)) {
    void* p = ultra_arena_alloc(h_.get(), size, align);
    if (!p) throw error(ULTRA_ERR_OUT_OF_MEMORY, last_error());
    return p;
  }
  // Copy a string into the arena (valid until reset).
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(alloc(s.size(), 1));
    for (size_t i = 0; i < s.size(); i++) p[i] = s[i];
    return std::string_view(p, s.size());
  }
  void reset() { check(ultra_arena_reset(h_.get())); }
  size_t used() const {
    size_t used = 0, reserved = 0;
    check(ultra_arena_usage(h_.get(), &used, &reserved));
    return used;
  }
  ultra_arena_t* get() const noexcept { return h_.get(); }

 private:
  detail::handle<ultra_arena_t, ultra_arena_free> h_;
};

}  // namespace ultra

#endif  // ULTRA_HPP
