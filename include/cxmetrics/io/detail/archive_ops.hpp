// The operations of the field-visiting protocol (core/fields.hpp) that the
// binary and the JSON archives do alike, written once: CRTP bases of the
// writing and the reading archives (io/binary_archive.hpp,
// io/json_archive.hpp). A derived archive provides member, element, value,
// tagged, choice, sequence, fixed, implied_flag and, when reading, mark,
// fail, fail_at, fail_here, legacy, only_members, same_as_read, has_member
// (whether a named field is present) and scope_mark (where the current
// object starts). The binary writer overrides optional_field: its fields
// are always present.
//
// Header: cxmetrics/io/detail/archive_ops.hpp (private to io/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"

namespace cxm::inline v0_1::detail {

/// What every archive does alike: named fields, and tagged states as
/// objects (the binary archives write the tag and override this).
template <class Derived>
class archive_ops {
 public:
  template <class T>
  void field(std::string_view name, T& v) {
    auto s = self().member(name);
    self().value(v);
  }
  template <class T>
  std::uint8_t tagged(T& x) {
    self().value(x);
    return serial_type_of(serial_tag<T>{}).version;
  }

 private:
  Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

/// What a writing archive does with the operations that matter only when
/// reading: nothing (the hooks check only what they read).
template <class Derived>
class writer_ops : public archive_ops<Derived> {
 public:
  static constexpr bool loading = false;
  /// Marks carry nothing when writing.
  struct mark_type {};

  template <class T>
  void value(T& v, std::uint8_t /*version: states are written in the current one*/) {
    self().value(v);
  }
  template <class T>
  void optional_field(std::string_view name, std::optional<T>& v) {
    if (v) this->field(name, *v);
  }
  [[nodiscard]] bool legacy(std::string_view, std::uint8_t) const noexcept { return false; }
  void only_members(std::initializer_list<std::string_view>) const noexcept {}
  [[nodiscard]] mark_type mark() const noexcept { return {}; }
  [[noreturn]] void fail(std::string_view why) const { refuse(why); }
  [[noreturn]] void fail_at(mark_type, std::string_view, std::string_view why) const { refuse(why); }
  [[noreturn]] void fail_here(std::string_view why) const { refuse(why); }
  template <class F>
  void check(F&& f) const {
    f();
  }
  template <class F>
  auto rebuild(F&& make) const {
    return make();
  }
  template <class F>
  auto rebuild_at(mark_type, std::string_view, F&& make) const {
    return make();
  }
  template <class T>
  [[nodiscard]] bool same_as_read(mark_type, const T&, const T&, std::uint8_t) const noexcept {
    return true;
  }

 private:
  /// A hook that finds a state it is writing invalid (a bug of the hook or
  /// of the type): nothing is written.
  [[noreturn]] static void refuse(std::string_view why) {
    throw serialization_error("cannot write an invalid state: " + std::string(why));
  }
  Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

/// What a reading archive does alike: named fields, and a cxm::error of a
/// check or a constructor turned into a failure at the right place.
template <class Derived>
class reader_ops : public archive_ops<Derived> {
 public:
  static constexpr bool loading = true;

  template <class T>
  void optional_field(std::string_view name, std::optional<T>& v) {
    v.reset();
    if (!self().has_member(name)) return;
    T x{};
    this->field(name, x);
    v = std::move(x);
  }
  template <class F>
  void check(F&& f) const {
    try {
      f();
    } catch (const serialization_error&) {
      throw;
    } catch (const error& e) {
      self().fail(e.reason());
    }
  }
  template <class F>
  auto rebuild(F&& make) const {
    return rebuild_at(self().scope_mark(), {}, std::forward<F>(make));
  }
  template <class F, class Mark>
  auto rebuild_at(const Mark& at, std::string_view f, F&& make) const -> decltype(make()) {
    try {
      return make();
    } catch (const serialization_error&) {
      throw;
    } catch (const error& e) {
      self().fail_at(at, f, e.reason());
    }
  }

 private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
  Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

}  // namespace cxm::detail
