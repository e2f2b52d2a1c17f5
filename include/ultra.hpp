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

}  // namespace ultra

#endif  // ULTRA_HPP
