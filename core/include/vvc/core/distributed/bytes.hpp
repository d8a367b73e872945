// The messages of a distributed run: plain values, strings and Eigen arrays written one after the other into a
// byte string and read back in the same order. Doubles travel as their bits, so a value read is the value
// written.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace vvc::core {

class ByteWriter {
 public:
  template <class T>
  requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void put(T value) { bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T)); }
  void put(const std::string& text);
  void put(const Eigen::MatrixXd& matrix);
  void put(const Eigen::VectorXd& vector);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what a ByteWriter wrote; reading past the end is a broken invariant (VVC_ASSERT).
class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(&bytes) {}
  template <class T>
  requires std::is_arithmetic_v<T> || std::is_enum_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string text();
  Eigen::MatrixXd matrix();
  Eigen::VectorXd vector();
  bool done() const { return offset_ == bytes_->size(); }

 private:
  const char* take(size_t count);
  const std::string* bytes_;
  size_t offset_ = 0;
};

}  // namespace vvc::core
