#include "vvc/core/distributed/bytes.hpp"

#include "vvc/common/errors.hpp"

namespace vvc::core {

void ByteWriter::put(const std::string& text) {
  put<std::uint64_t>(text.size());
  bytes_.append(text);
}

void ByteWriter::put(const Eigen::MatrixXd& matrix) {
  put<std::int64_t>(matrix.rows());
  put<std::int64_t>(matrix.cols());
  if (matrix.size() > 0) {
    bytes_.append(reinterpret_cast<const char*>(matrix.data()),
                  sizeof(double) * static_cast<size_t>(matrix.size()));
  }
}

void ByteWriter::put(const Eigen::VectorXd& vector) {
  put<std::int64_t>(vector.size());
  if (vector.size() > 0) {
    bytes_.append(reinterpret_cast<const char*>(vector.data()),
                  sizeof(double) * static_cast<size_t>(vector.size()));
  }
}

const char* ByteReader::take(size_t count) {
  VVC_ASSERT(count <= bytes_->size() - offset_);
  const char* at = bytes_->data() + offset_;
  offset_ += count;
  return at;
}

std::string ByteReader::text() {
  const auto size = static_cast<size_t>(get<std::uint64_t>());
  return std::string(take(size), size);
}

Eigen::MatrixXd ByteReader::matrix() {
  const auto rows = get<std::int64_t>();
  const auto cols = get<std::int64_t>();
  Eigen::MatrixXd out(rows, cols);
  const size_t count = sizeof(double) * static_cast<size_t>(out.size());
  if (count > 0) std::memcpy(out.data(), take(count), count);
  return out;
}

Eigen::VectorXd ByteReader::vector() {
  const auto size = get<std::int64_t>();
  Eigen::VectorXd out(size);
  const size_t count = sizeof(double) * static_cast<size_t>(size);
  if (count > 0) std::memcpy(out.data(), take(count), count);
  return out;
}

}  // namespace vvc::core
