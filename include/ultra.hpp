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

}  // namespace ultra

#endif  // ULTRA_HPP
