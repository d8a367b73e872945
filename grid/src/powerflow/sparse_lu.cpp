// The elimination order of the sparse LU (sparse_lu.hpp).
#include "sparse_lu.hpp"

#include <amd.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace vvc::grid::detail {

namespace {

// Nonzeros of L when the nodes are eliminated in `order`, or a number above `cap` as soon as it exceeds it
// (the fill of a poor order can be quadratic). Column k's pattern is its lower neighbours merged with those
// of its children in the elimination tree, as in SparseLuPattern.
long fill_of(const std::vector<std::vector<int>>& adjacency, const std::vector<int>& order, long cap) {
  const size_t n = adjacency.size();
  std::vector<int> rank(n);
  for (size_t k = 0; k < n; ++k) rank[static_cast<size_t>(order[k])] = static_cast<int>(k);
  std::vector<std::vector<int>> columns(n), children(n);
  std::vector<int> mark(n, -1);
  long total = 0;
  for (size_t k = 0; k < n; ++k) {
    std::vector<int>& col = columns[k];
    auto add = [&](int i) {
      if (i > static_cast<int>(k) && mark[static_cast<size_t>(i)] != static_cast<int>(k)) {
        mark[static_cast<size_t>(i)] = static_cast<int>(k);
        col.push_back(i);
      }
    };
    for (int j : adjacency[static_cast<size_t>(order[k])]) add(rank[static_cast<size_t>(j)]);
    for (int child : children[k]) {
      for (int i : columns[static_cast<size_t>(child)]) add(i);
      std::vector<int>().swap(columns[static_cast<size_t>(child)]);
    }
    total += static_cast<long>(col.size());
    if (total > cap) return total;
    if (!col.empty())
      children[static_cast<size_t>(*std::min_element(col.begin(), col.end()))].push_back(static_cast<int>(k));
  }
  return total;
}

}  // namespace

std::vector<int> elimination_order(const std::vector<std::vector<int>>& adjacency,
                                   const std::vector<int>& roots) {
  const int n = static_cast<int>(adjacency.size());
  // Breadth-first from the roots (then from any node not reached), reversed: deepest nodes first.
  std::vector<int> breadth_first;
  std::vector<char> seen(static_cast<size_t>(n), 0);
  auto visit_from = [&](int start) {
    if (seen[static_cast<size_t>(start)]) return;
    seen[static_cast<size_t>(start)] = 1;
    size_t head = breadth_first.size();
    breadth_first.push_back(start);
    for (; head < breadth_first.size(); ++head) {
      for (int next : adjacency[static_cast<size_t>(breadth_first[head])]) {
        if (!seen[static_cast<size_t>(next)]) {
          seen[static_cast<size_t>(next)] = 1;
          breadth_first.push_back(next);
        }
      }
    }
  };
  for (int root : roots) visit_from(root);
  for (int i = 0; i < n; ++i) visit_from(i);
  std::reverse(breadth_first.begin(), breadth_first.end());
  std::vector<int> natural(static_cast<size_t>(n));
  std::iota(natural.begin(), natural.end(), 0);
  std::vector<int> reversed(natural.rbegin(), natural.rend());
  std::vector<int> col_start(static_cast<size_t>(n) + 1, 0), rows;
  for (int c = 0; c < n; ++c) {
    for (int r : adjacency[static_cast<size_t>(c)]) {
      if (r != c) rows.push_back(r);
    }
    col_start[static_cast<size_t>(c) + 1] = static_cast<int>(rows.size());
  }
  std::vector<int> amd(static_cast<size_t>(n));
  const bool amd_ok =
      n > 0 && amd_order(n, col_start.data(), rows.data(), amd.data(), nullptr, nullptr) >= AMD_OK;
  std::vector<int> best = breadth_first;
  long best_fill = fill_of(adjacency, breadth_first, std::numeric_limits<long>::max());
  for (const std::vector<int>* candidate : {&reversed, &natural, &amd}) {
    if (candidate == &amd && !amd_ok) continue;
    const long fill = fill_of(adjacency, *candidate, best_fill - 1);
    if (fill < best_fill) {
      best_fill = fill;
      best = *candidate;
    }
  }
  return best;
}

}  // namespace vvc::grid::detail
