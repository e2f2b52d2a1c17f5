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
}  // namespace json

}  // namespace ultra

#endif  // ULTRA_HPP
