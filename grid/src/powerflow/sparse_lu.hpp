// Sparse LU factorization without pivoting of a structurally symmetric matrix whose entries are scalars or
// small blocks, for the three-phase power flow's Newton iteration (private to vvc_grid).
//
// A = L U with L unit lower triangular and U upper triangular, in the matrix's own row and column order (the
// caller numbers the unknowns in a fill-reducing order, docs/algorithms/three-phase.md). With a symmetric
// pattern, the pattern of L's column k equals that of U's row k; it is the pattern of A's column k below the
// diagonal merged with those of the columns whose elimination-tree parent is k (George & Liu, "Computer
// Solution of Large Sparse Positive Definite Systems", 1981, ch. 5). Left-looking numeric factorization:
//     U_kk = A_kk - sum_{j<k} L_kj U_jk
//     L_ik = (A_ik - sum_{j<k} L_ij U_jk) U_kk^-1,   U_ki = A_ki - sum_{j<k} L_kj U_ji   (i > k)
// where j runs over the nonzeros of row k of L (precomputed with their position in column j). Solves are one
// forward sweep over L's columns and one backward sweep over U's rows.
//
// Without pivoting the factorization exists when every leading principal submatrix is nonsingular, which
// holds for the admittance matrices of passive networks and their power-flow Jacobians away from voltage
// collapse; a pivot that is singular or not finite makes factor() return false and the caller falls back.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/common/units.hpp"

namespace vvc::grid::detail {

/// A real 2 x 2 block [[a, b], [c, d]]: the real-linear map of a complex number x + jy to a complex number.
struct Block2 {
  double a = 0.0, b = 0.0, c = 0.0, d = 0.0;

  Block2() = default;
  Block2(double a_, double b_, double c_, double d_) : a(a_), b(b_), c(c_), d(d_) {}
  /// The block of z -> m z + n conj(z).
  static Block2 from(Complex m, Complex n) {
    return {m.real() + n.real(), n.imag() - m.imag(), m.imag() + n.imag(), m.real() - n.real()};
  }
  Block2& operator+=(const Block2& o) {
    a += o.a, b += o.b, c += o.c, d += o.d;
    return *this;
  }
  Block2& operator-=(const Block2& o) {
    a -= o.a, b -= o.b, c -= o.c, d -= o.d;
    return *this;
  }
};

inline Block2 operator*(const Block2& x, const Block2& y) {
  return {x.a * y.a + x.b * y.c, x.a * y.b + x.b * y.d, x.c * y.a + x.d * y.c, x.c * y.b + x.d * y.d};
}
inline Complex operator*(const Block2& m, Complex z) {
  return {m.a * z.real() + m.b * z.imag(), m.c * z.real() + m.d * z.imag()};
}

/// The inverse of a pivot, or false when it is singular (relative to its size) or not finite.
inline bool invert_pivot(const Block2& m, Block2& inverse) {
  const double det = m.a * m.d - m.b * m.c;
  const double scale = std::max({std::abs(m.a), std::abs(m.b), std::abs(m.c), std::abs(m.d)});
  if (!std::isfinite(det) || !(std::abs(det) > 1e-14 * scale * scale)) return false;
  inverse = {m.d / det, -m.b / det, -m.c / det, m.a / det};
  return true;
}
inline bool invert_pivot(Complex m, Complex& inverse) {
  const double n2 = std::norm(m);
  if (!std::isfinite(n2) || n2 == 0.0) return false;
  inverse = std::conj(m) / n2;
  return true;
}

/// The symbolic part: L's pattern by columns (rows ascending) and by rows, from a symmetric pattern.
class SparseLuPattern {
 public:
  SparseLuPattern() = default;
  /// `lower[k]`: the rows i > k with A_ik != 0 (any order, duplicates allowed).
  explicit SparseLuPattern(const std::vector<std::vector<int>>& lower) : n_(static_cast<int>(lower.size())) {
    const auto n = static_cast<size_t>(n_);
    std::vector<std::vector<int>> columns(n);
    std::vector<std::vector<int>> children(n);
    std::vector<int> mark(n, -1);
    for (size_t k = 0; k < n; ++k) {
      std::vector<int>& col = columns[k];
      auto add = [&](int i) {
        VVC_ASSERT(i > static_cast<int>(k) && i < n_);
        if (mark[static_cast<size_t>(i)] != static_cast<int>(k)) {
          mark[static_cast<size_t>(i)] = static_cast<int>(k);
          col.push_back(i);
        }
      };
      for (int i : lower[k]) add(i);
      for (int child : children[k]) {
        for (int i : columns[static_cast<size_t>(child)]) {
          if (i > static_cast<int>(k)) add(i);
        }
      }
      std::sort(col.begin(), col.end());
      if (!col.empty()) children[static_cast<size_t>(col.front())].push_back(static_cast<int>(k));
    }
    col_start.assign(n + 1, 0);
    for (size_t k = 0; k < n; ++k) col_start[k + 1] = col_start[k] + static_cast<int>(columns[k].size());
    row_index.reserve(static_cast<size_t>(col_start[n]));
    for (const auto& col : columns) row_index.insert(row_index.end(), col.begin(), col.end());
    // Row patterns: for row i, the columns j < i with L_ij != 0 and the storage index of L_ij.
    row_start.assign(n + 1, 0);
    for (int i : row_index) ++row_start[static_cast<size_t>(i) + 1];
    for (size_t i = 0; i < n; ++i) row_start[i + 1] += row_start[i];
    row_entry.resize(row_index.size());
    std::vector<int> fill(row_start.begin(), row_start.end() - 1);
    for (size_t j = 0; j < n; ++j) {
      for (int q = col_start[j]; q < col_start[j + 1]; ++q) {
        row_entry[static_cast<size_t>(fill[static_cast<size_t>(row_index[static_cast<size_t>(q)])]++)] = q;
      }
    }
    std::vector<int> column_of_entry;
    for (size_t j = 0; j < n; ++j) {
      for (int q = col_start[j]; q < col_start[j + 1]; ++q) column_of_entry.push_back(static_cast<int>(j));
    }
    row_column.resize(row_entry.size());
    for (size_t e = 0; e < row_entry.size(); ++e)
      row_column[e] = column_of_entry[static_cast<size_t>(row_entry[e])];
  }

  int size() const { return n_; }
  int nonzeros() const { return static_cast<int>(row_index.size()); }
  /// Storage index of L_ij (i > j), also that of U_ji; -1 when outside the pattern.
  int entry(int i, int j) const {
    const auto begin = row_index.begin() + col_start[static_cast<size_t>(j)];
    const auto end = row_index.begin() + col_start[static_cast<size_t>(j) + 1];
    const auto found = std::lower_bound(begin, end, i);
    return found != end && *found == i ? static_cast<int>(found - row_index.begin()) : -1;
  }

  std::vector<int> col_start, row_index;  // L by columns
  std::vector<int> row_start, row_entry;  // L by rows: storage indices, columns ascending
  std::vector<int> row_column;            // the column of each row_entry

 private:
  int n_ = 0;
};

/// An elimination order for the symmetric pattern `adjacency` (each node's neighbours, any order): the
/// candidate with the fewest nonzeros in L among the reverse of a breadth-first order from `roots` (the nodes
/// next to the source: for a radial network a perfect elimination order whose parents lie in the order of
/// their children, which keeps the factorization's and the solves' memory accesses close), the given
/// numbering, its reverse, and a minimum-degree order (AMD; Amestoy, Davis & Duff, SIAM J. Matrix Anal. Appl.
/// 17(4), 1996), preferred in that order on ties. order[k] is the node eliminated k-th.
std::vector<int> elimination_order(const std::vector<std::vector<int>>& adjacency,
                                   const std::vector<int>& roots);

/// Numeric factorization and solves for entries of type T (Complex or Block2). The matrix is given in the
/// same layout as the factors: a_diag[k], a_lower[e] = A_ij and a_upper[e] = A_ji for storage index e of
/// L_ij (entries of the fill are zero).
template <class T>
class SparseLu {
 public:
  explicit SparseLu(const SparseLuPattern* pattern = nullptr) { reset(pattern); }

  void reset(const SparseLuPattern* pattern) {
    pattern_ = pattern;
    const size_t n = pattern != nullptr ? static_cast<size_t>(pattern->size()) : 0;
    const size_t nnz = pattern != nullptr ? static_cast<size_t>(pattern->nonzeros()) : 0;
    a_diag.assign(n, T{});
    a_lower.assign(nnz, T{});
    a_upper.assign(nnz, T{});
    inv_diag_.assign(n, T{});
    lower_.assign(nnz, T{});
    lower_by_row_.assign(nnz, T{});
    upper_.assign(nnz, T{});
    work_lower_.assign(n, T{});
    work_upper_.assign(n, T{});
    factored_ = false;
  }

  bool factored() const { return factored_; }

  /// Factorizes a_*; false when a pivot is singular (the factors are then unusable).
  bool factor() {
    const SparseLuPattern& p = *pattern_;
    const int n = p.size();
    const int* col_start = p.col_start.data();
    const int* rows = p.row_index.data();
    factored_ = false;
    for (int k = 0; k < n; ++k) {
      for (int q = col_start[k]; q < col_start[k + 1]; ++q) {
        work_lower_[static_cast<size_t>(rows[q])] = a_lower[static_cast<size_t>(q)];
        work_upper_[static_cast<size_t>(rows[q])] = a_upper[static_cast<size_t>(q)];
      }
      T pivot = a_diag[static_cast<size_t>(k)];
      for (int r = p.row_start[static_cast<size_t>(k)]; r < p.row_start[static_cast<size_t>(k) + 1]; ++r) {
        const int e = p.row_entry[static_cast<size_t>(r)];  // L_kj and U_jk
        const int j = p.row_column[static_cast<size_t>(r)];
        const T l_kj = lower_[static_cast<size_t>(e)];
        const T u_jk = upper_[static_cast<size_t>(e)];
        pivot -= l_kj * u_jk;
        for (int q = e + 1; q < col_start[j + 1]; ++q) {
          const auto i = static_cast<size_t>(rows[q]);
          work_lower_[i] -= lower_[static_cast<size_t>(q)] * u_jk;
          work_upper_[i] -= l_kj * upper_[static_cast<size_t>(q)];
        }
      }
      T inverse{};
      if (!invert_pivot(pivot, inverse)) return false;
      inv_diag_[static_cast<size_t>(k)] = inverse;
      for (int q = col_start[k]; q < col_start[k + 1]; ++q) {
        const auto i = static_cast<size_t>(rows[q]);
        lower_[static_cast<size_t>(q)] = work_lower_[i] * inverse;
        upper_[static_cast<size_t>(q)] = work_upper_[i];
        work_lower_[i] = T{};
        work_upper_[i] = T{};
      }
    }
    for (size_t r = 0; r < p.row_entry.size(); ++r)
      lower_by_row_[r] = lower_[static_cast<size_t>(p.row_entry[r])];
    factored_ = true;
    return true;
  }

  /// Solves A x = b (b and x may be the same array): a forward sweep over L's rows and a backward sweep
  /// over U's rows, both gathering into one value.
  void solve(const Complex* b, Complex* x) const {
    const SparseLuPattern& p = *pattern_;
    const int n = p.size();
    const int* row_start = p.row_start.data();
    const int* row_column = p.row_column.data();
    const T* lower = lower_by_row_.data();
    for (int i = 0; i < n; ++i) {
      Complex s = b[i];
      for (int r = row_start[i]; r < row_start[i + 1]; ++r) s -= lower[r] * x[row_column[r]];
      x[i] = s;
    }
    const int* col_start = p.col_start.data();
    const int* rows = p.row_index.data();
    const T* upper = upper_.data();
    for (int k = n - 1; k >= 0; --k) {
      Complex s = x[k];
      for (int q = col_start[k]; q < col_start[k + 1]; ++q) s -= upper[q] * x[rows[q]];
      x[k] = inv_diag_[static_cast<size_t>(k)] * s;
    }
  }

  std::vector<T> a_diag, a_lower, a_upper;

 private:
  const SparseLuPattern* pattern_ = nullptr;
  std::vector<T> inv_diag_, lower_, upper_;
  std::vector<T> lower_by_row_;  // L's values in the order of its row pattern, for the forward sweep
  std::vector<T> work_lower_, work_upper_;
  bool factored_ = false;
};

}  // namespace vvc::grid::detail
