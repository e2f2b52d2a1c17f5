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
#include <optional>
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

// ---- ring ----
//
// spsc_ring: variable-length byte records; at most ONE thread pushes and ONE
// thread pops at a time (queries from anywhere). mpmc_ring: fixed-size slots,
// any number of threads. try_* return false / std::nullopt when full / empty
// and throw ultra::error for everything else; push/pop throw on full / empty.

namespace detail {
// try_pop into a fresh vector of `size` bytes; nullopt when empty.
template <class Pop>
inline std::optional<std::vector<uint8_t>> pop_vector(size_t size, Pop pop) {
  std::vector<uint8_t> buf(size);
  size_t len = 0;
  ultra_status s = pop(buf.data(), buf.size(), &len);
  if (s == ULTRA_ERR_EMPTY) return std::nullopt;
  check(s);
  buf.resize(len);
  return buf;
}

// try_pop into (out, cap); nullopt when empty, the length otherwise.
inline std::optional<size_t> pop_status(ultra_status s, size_t len) {
  if (s == ULTRA_ERR_EMPTY) return std::nullopt;
  check(s);
  return len;
}

// false when full, true when pushed; throws otherwise.
inline bool push_status(ultra_status s) {
  if (s == ULTRA_ERR_FULL) return false;
  check(s);
  return true;
}
}  // namespace detail

class spsc_ring {
 public:
  // A ring of at least capacity_bytes bytes (rounded up to a power of two).
  explicit spsc_ring(size_t capacity_bytes) {
    ultra_spsc_t* p = nullptr;
    check(ultra_spsc_new(capacity_bytes, &p));
    h_.reset(p);
  }

  // Append a record; throws ultra::error (ULTRA_ERR_FULL when no room).
  void push(bytes_view record) { check(ultra_spsc_push(h_.get(), record.data(), record.size())); }
  // Append a record; false when the ring is full right now.
  bool try_push(bytes_view record) {
    return detail::push_status(ultra_spsc_push(h_.get(), record.data(), record.size()));
  }
  // Take the oldest record into (out, cap); nullopt when empty. Throws
  // ULTRA_ERR_BUFFER_TOO_SMALL (record kept) when cap < peek_size().
  std::optional<size_t> try_pop(uint8_t* out, size_t cap) {
    size_t len = 0;
    ultra_status s = ultra_spsc_pop(h_.get(), out, cap, &len);
    return detail::pop_status(s, len);
  }
  // Take the oldest record as a vector; nullopt when empty.
  std::optional<std::vector<uint8_t>> try_pop() {
    std::optional<size_t> size = peek_size();
    if (!size) return std::nullopt;
    return detail::pop_vector(*size, [this](uint8_t* o, size_t c, size_t* l) {
      return ultra_spsc_pop(h_.get(), o, c, l);
    });
  }
  // Take the oldest record; throws ultra::error (ULTRA_ERR_EMPTY when none).
  std::vector<uint8_t> pop() {
    std::optional<std::vector<uint8_t>> r = try_pop();
    if (!r) check(ULTRA_ERR_EMPTY);
    return std::move(*r);
  }
  // Length of the oldest record; nullopt when empty (call from the popping thread).
  std::optional<size_t> peek_size() const {
    size_t len = 0;
    ultra_status s = ultra_spsc_peek_len(h_.get(), &len);
    return detail::pop_status(s, len);
  }

  size_t size() const noexcept { return ultra_spsc_len(h_.get()); }
  bool empty() const noexcept { return ultra_spsc_is_empty(h_.get()); }
  size_t capacity() const noexcept { return ultra_spsc_capacity(h_.get()); }
  size_t max_record() const noexcept { return ultra_spsc_max_record(h_.get()); }
  ultra_spsc_t* get() const noexcept { return h_.get(); }

 private:
  detail::handle<ultra_spsc_t, ultra_spsc_free> h_;
};

class mpmc_ring {
 public:
  // At least `slots` slots (rounded up to a power of two) of slot_size bytes.
  mpmc_ring(size_t slots, size_t slot_size) {
    ultra_mpmc_t* p = nullptr;
    check(ultra_mpmc_new(slots, slot_size, &p));
    h_.reset(p);
  }

  void push(bytes_view record) { check(ultra_mpmc_push(h_.get(), record.data(), record.size())); }
  bool try_push(bytes_view record) {
    return detail::push_status(ultra_mpmc_push(h_.get(), record.data(), record.size()));
  }
  std::optional<size_t> try_pop(uint8_t* out, size_t cap) {
    size_t len = 0;
    ultra_status s = ultra_mpmc_pop(h_.get(), out, cap, &len);
    return detail::pop_status(s, len);
  }
  std::optional<std::vector<uint8_t>> try_pop() {
    return detail::pop_vector(slot_size(), [this](uint8_t* o, size_t c, size_t* l) {
      return ultra_mpmc_pop(h_.get(), o, c, l);
    });
  }
  std::vector<uint8_t> pop() {
    std::optional<std::vector<uint8_t>> r = try_pop();
    if (!r) check(ULTRA_ERR_EMPTY);
    return std::move(*r);
  }

  size_t size() const noexcept { return ultra_mpmc_len(h_.get()); }
  bool empty() const noexcept { return ultra_mpmc_is_empty(h_.get()); }
  size_t capacity() const noexcept { return ultra_mpmc_capacity(h_.get()); }
  size_t slot_size() const noexcept { return ultra_mpmc_slot_size(h_.get()); }
  ultra_mpmc_t* get() const noexcept { return h_.get(); }

 private:
  detail::handle<ultra_mpmc_t, ultra_mpmc_free> h_;
};

// ---- cache ----

// A value read from ultra::cache without copying: the bytes stay valid while
// this object lives, even if the entry is evicted or replaced.
class cache_value {
 public:
  cache_value() noexcept = default;
  explicit cache_value(ultra_value_t* v) noexcept : v_(v) {}
  bytes_view bytes() const noexcept {
    size_t n = 0;
    const uint8_t* p = ultra_value_data(v_.get(), &n);
    return bytes_view(p, n);
  }
  std::string_view str() const noexcept { return bytes().str(); }
  uint64_t age_ms() const noexcept { return ultra_value_age_ms(v_.get()); }
  uint64_t ttl_ms() const noexcept { return ultra_value_ttl_ms(v_.get()); }  // UINT64_MAX: never
  bool should_refresh() const noexcept { return ultra_value_should_refresh(v_.get()); }

 private:
  detail::handle<ultra_value_t, ultra_value_release> v_;
};

// A sharded byte-string cache (ultra_cache_t); every method is thread-safe.
class cache {
 public:
  explicit cache(const ultra_cache_config_t& cfg = ultra_cache_config_default()) {
    ultra_cache_t* c = nullptr;
    check(ultra_cache_new(&cfg, &c));
    c_.reset(c);
  }
  // ttl_ms 0: the default TTL.
  void put(bytes_view key, bytes_view val, uint64_t ttl_ms = 0) const {
    check(ultra_cache_put(c_.get(), key.data(), key.size(), val.data(), val.size(), ttl_ms));
  }
  // The value (zero-copy) with its age and TTL, or false when absent.
  bool get(bytes_view key, cache_value* out) const {
    ultra_value_t* v = nullptr;
    ultra_status s = ultra_cache_get_value(c_.get(), key.data(), key.size(), &v);
    if (s == ULTRA_ERR_NOT_FOUND) return false;
    check(s);
    *out = cache_value(v);
    return true;
  }
  bool remove(bytes_view key) const {
    ultra_status s = ultra_cache_remove(c_.get(), key.data(), key.size());
    if (s == ULTRA_ERR_NOT_FOUND) return false;
    check(s);
    return true;
  }
  uint64_t remove_prefix(bytes_view prefix) const {
    uint64_t n = 0;
    check(ultra_cache_remove_prefix(c_.get(), prefix.data(), prefix.size(), &n));
    return n;
  }
  void clear() const { check(ultra_cache_clear(c_.get())); }
  uint64_t purge_expired() const {
    uint64_t n = 0;
    check(ultra_cache_purge_expired(c_.get(), &n));
    return n;
  }
  ultra_cache_stats_t stats() const {
    ultra_cache_stats_t s{};
    check(ultra_cache_stats(c_.get(), &s));
    return s;
  }
  ultra_cache_t* get() const noexcept { return c_.get(); }

 private:
  detail::handle<ultra_cache_t, ultra_cache_free> c_;
};

// ---- cuda ----
// GPU discovery, a GPU handle with streams, pooled device buffers and pinned
// host memory, and top-k / decay that run on the GPU when one is open and on
// the CPU otherwise. Without a GPU, gpu::open throws ultra::error with
// ULTRA_ERR_UNAVAILABLE; gpu::try_open returns an empty optional instead.

inline int gpu_device_count() {
  int n = 0;
  check(ultra_gpu_device_count(&n));
  return n;
}

inline ultra_gpu_info_t gpu_device_info(int device) {
  ultra_gpu_info_t info{};
  check(ultra_gpu_device_info(device, &info));
  return info;
}

class gpu_stream : public detail::handle<ultra_gpu_stream_t, ultra_gpu_stream_free> {
 public:
  using handle::handle;
  void synchronize() const { check(ultra_gpu_stream_synchronize(get())); }
};

class gpu_pinned : public detail::handle<ultra_gpu_pinned_t, ultra_gpu_pinned_free> {
 public:
  gpu_pinned() noexcept = default;
  gpu_pinned(ultra_gpu_pinned_t* p, size_t size) noexcept : handle(p), size_(size) {}
  void* data() const noexcept { return ultra_gpu_pinned_data(get()); }
  size_t size() const noexcept { return size_; }
  int numa_node() const {
    int node = -1;
    check(ultra_gpu_pinned_numa_node(get(), &node));
    return node;
  }

 private:
  size_t size_ = 0;
};

class gpu_buffer : public detail::handle<ultra_gpu_buffer_t, ultra_gpu_buffer_free> {
 public:
  gpu_buffer() noexcept = default;
  gpu_buffer(ultra_gpu_buffer_t* p, size_t size) noexcept : handle(p), size_(size) {}
  size_t size() const noexcept { return size_; }
  void upload(const gpu_stream& s, size_t offset, const void* src, size_t len) {
    check(ultra_gpu_buffer_upload(get(), s.get(), offset, src, len));
  }
  void download(const gpu_stream& s, size_t offset, void* dst, size_t len) const {
    check(ultra_gpu_buffer_download(get(), s.get(), offset, dst, len));
  }
  void upload_async(const gpu_stream& s, size_t offset, const gpu_pinned& p, size_t p_offset,
                    size_t len) {
    check(ultra_gpu_buffer_upload_pinned(get(), s.get(), offset, p.get(), p_offset, len));
  }
  void download_async(const gpu_stream& s, size_t offset, gpu_pinned& p, size_t p_offset,
                      size_t len) const {
    check(ultra_gpu_buffer_download_pinned(get(), s.get(), offset, p.get(), p_offset, len));
  }

 private:
  size_t size_ = 0;
};

// Top-k result: indices and values, best first.
struct topk_result {
  std::vector<uint32_t> indices;
  std::vector<float> values;
};

// An open GPU. A default-constructed (empty) gpu means "use the CPU": topk and
// decay then run on the CPU, so callers do not branch.
class gpu : public detail::handle<ultra_gpu_t, ultra_gpu_close> {
 public:
  using handle::handle;
  static gpu open(int device = 0, const ultra_gpu_config_t& cfg = ultra_gpu_config_default()) {
    ultra_gpu_t* g = nullptr;
    check(ultra_gpu_open(device, &cfg, &g));
    return gpu(g);
  }
  // The GPU when one opens, else an empty handle (the CPU path).
  static gpu open_or_cpu(int device = 0,
                         const ultra_gpu_config_t& cfg = ultra_gpu_config_default()) {
    ultra_gpu_t* g = nullptr;
    return ultra_gpu_open(device, &cfg, &g) == ULTRA_OK ? gpu(g) : gpu();
  }
  gpu_stream new_stream() const {
    ultra_gpu_stream_t* s = nullptr;
    check(ultra_gpu_stream_new(get(), &s));
    return gpu_stream(s);
  }
  gpu_buffer alloc(const gpu_stream& s, size_t bytes) const {
    ultra_gpu_buffer_t* b = nullptr;
    check(ultra_gpu_buffer_new(get(), s.get(), bytes, &b));
    return gpu_buffer(b, bytes);
  }
  gpu_pinned pinned(size_t bytes) const {
    ultra_gpu_pinned_t* p = nullptr;
    check(ultra_gpu_pinned_alloc(get(), bytes, &p));
    return gpu_pinned(p, bytes);
  }
  size_t pool_used() const {
    size_t n = 0;
    check(ultra_gpu_pool_used(get(), &n));
    return n;
  }
  topk_result topk(const float* scores, size_t n, size_t k) const {
    size_t m = k < n ? k : n;
    topk_result r{std::vector<uint32_t>(m), std::vector<float>(m)};
    check(ultra_gpu_topk_f32(get(), scores, n, k, r.indices.data(), r.values.data()));
    return r;
  }
  topk_result topk(const std::vector<float>& scores, size_t k) const {
    return topk(scores.data(), scores.size(), k);
  }
  void decay(std::vector<float>& scores, const std::vector<double>& timestamps, double now,
             double half_life) const {
    if (scores.size() != timestamps.size())
      throw error(ULTRA_ERR_INVALID_ARGUMENT, "scores and timestamps differ in length");
    check(ultra_gpu_decay_f32(get(), scores.data(), timestamps.data(), scores.size(), now,
                              half_life));
  }
};

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

// ---- json ----
namespace json {
// A parsed document: RAII over ultra_json_doc_t. Borrows its parser and the
// input buffer, which must outlive it.
using document = detail::handle<ultra_json_doc_t, ultra_json_doc_free>;

// A value inside a document (copyable view).
class value {
 public:
  value() noexcept = default;
  explicit value(ultra_json_value_t v) noexcept : v_(v) {}
  int type() const noexcept { return ultra_json_value_type(&v_); }
  int64_t as_i64() const { int64_t x; check(ultra_json_value_as_i64(&v_, &x)); return x; }
  uint64_t as_u64() const { uint64_t x; check(ultra_json_value_as_u64(&v_, &x)); return x; }
  double as_f64() const { double x; check(ultra_json_value_as_f64(&v_, &x)); return x; }
  bool as_bool() const { bool x; check(ultra_json_value_as_bool(&v_, &x)); return x; }
  std::string_view as_str() const {
    const uint8_t* p; size_t n;
    check(ultra_json_value_as_str(&v_, &p, &n));
    return std::string_view(reinterpret_cast<const char*>(p), n);
  }
  size_t size() const { size_t n; check(ultra_json_value_len(&v_, &n)); return n; }
  value at(size_t i) const { ultra_json_value_t o; check(ultra_json_value_at(&v_, i, &o)); return value(o); }
  value operator[](std::string_view key) const {
    ultra_json_value_t o;
    check(ultra_json_value_object_get(&v_, reinterpret_cast<const uint8_t*>(key.data()), key.size(), &o));
    return value(o);
  }
  const ultra_json_value_t* raw() const noexcept { return &v_; }

 private:
  ultra_json_value_t v_{};
};

// A reusable parser.
class parser {
 public:
  parser() { ultra_json_parser_t* p = nullptr; check(ultra_json_parser_new(&p)); h_.reset(p); }
  document parse(bytes_view in) {
    ultra_json_doc_t* d = nullptr;
    check(ultra_json_parse(h_.get(), in.data(), in.size(), &d));
    return document(d);
  }

 private:
  detail::handle<ultra_json_parser_t, ultra_json_parser_free> h_;
};

inline value root(const document& d) { ultra_json_value_t v; check(ultra_json_doc_root(d.get(), &v)); return value(v); }
inline value get(const document& d, std::string_view pointer) {
  ultra_json_value_t v;
  check(ultra_json_get(d.get(), reinterpret_cast<const uint8_t*>(pointer.data()), pointer.size(), &v));
  return value(v);
}
inline void validate(bytes_view in) { size_t off = 0; check(ultra_json_validate(in.data(), in.size(), &off)); }

namespace detail_json {
template <class F>
std::string sized(F&& call) {
  std::string out(64, '\0');
  size_t n = 0;
  ultra_status s = call(reinterpret_cast<uint8_t*>(out.data()), out.size(), &n);
  if (s == ULTRA_ERR_BUFFER_TOO_SMALL) {
    out.resize(n);
    s = call(reinterpret_cast<uint8_t*>(out.data()), out.size(), &n);
  }
  check(s);
  out.resize(n);
  return out;
}
}  // namespace detail_json

inline std::string minify(bytes_view in) {
  return detail_json::sized([&](uint8_t* o, size_t c, size_t* n) { return ultra_json_minify(in.data(), in.size(), o, c, n); });
}
inline std::string project(bytes_view in, const std::vector<std::string_view>& fields) {
  std::vector<ultra_str_t> fs;
  for (auto f : fields) fs.push_back({reinterpret_cast<const uint8_t*>(f.data()), f.size()});
  return detail_json::sized([&](uint8_t* o, size_t c, size_t* n) {
    return ultra_json_project(in.data(), in.size(), fs.data(), fs.size(), o, c, n);
  });
}

// Builds JSON text into a reusable buffer. Every call is checked against the
// document's shape (a value inside an object needs its key, `end_object`
// needs an open object, ...); a misplaced call throws ultra::error and
// writes nothing.
class writer {
 public:
  writer() { ultra_json_writer_t* w = nullptr; check(ultra_json_writer_new(&w)); h_.reset(w); }
  writer& begin_object() { check(ultra_json_writer_begin_object(h_.get())); return *this; }
  writer& end_object() { check(ultra_json_writer_end_object(h_.get())); return *this; }
  writer& begin_array() { check(ultra_json_writer_begin_array(h_.get())); return *this; }
  writer& end_array() { check(ultra_json_writer_end_array(h_.get())); return *this; }
  writer& key(std::string_view k) {
    check(ultra_json_writer_key(h_.get(), reinterpret_cast<const uint8_t*>(k.data()), k.size()));
    return *this;
  }
  writer& string(std::string_view s) {
    check(ultra_json_writer_string(h_.get(), reinterpret_cast<const uint8_t*>(s.data()), s.size(), false));
    return *this;
  }
  writer& i64(int64_t v) { check(ultra_json_writer_i64(h_.get(), v)); return *this; }
  writer& u64(uint64_t v) { check(ultra_json_writer_u64(h_.get(), v)); return *this; }
  writer& f64(double v) { check(ultra_json_writer_f64(h_.get(), v)); return *this; }
  writer& boolean(bool v) { check(ultra_json_writer_bool(h_.get(), v)); return *this; }
  writer& null() { check(ultra_json_writer_null(h_.get())); return *this; }
  // Already-serialised JSON (e.g. a `project` result), inserted as one value.
  writer& raw(std::string_view json) {
    check(ultra_json_writer_raw(h_.get(), reinterpret_cast<const uint8_t*>(json.data()), json.size()));
    return *this;
  }
  void clear() { check(ultra_json_writer_clear(h_.get())); }
  // The text so far; valid until the next call on this writer.
  std::string_view view() const {
    const uint8_t* p = nullptr;
    size_t n = 0;
    check(ultra_json_writer_buffer(h_.get(), &p, &n));
    return std::string_view(reinterpret_cast<const char*>(p), n);
  }

 private:
  detail::handle<ultra_json_writer_t, ultra_json_writer_free> h_;
};
}  // namespace json

}  // namespace ultra

#endif  // ULTRA_HPP
