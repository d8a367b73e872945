// Checks that a warm DenseQpWorkspace solves without heap allocation. Eigen allocates with malloc, not
// operator new, so the test executable is linked with -Wl,--wrap=malloc (vvc_core is a static library, so its
// calls are redirected too) and also replaces operator new; both count while `counting` is set. The
// replacement operator delete frees with std::free, which matches the replacement operator new (std::malloc);
// GCC cannot see that pairing when it inlines them into new-expressions and would warn.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include "random_qp.hpp"
#include "vvc/core/qp.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

extern "C" {
void* __real_malloc(std::size_t size);   // NOLINT(bugprone-reserved-identifier)
void* __wrap_malloc(std::size_t size) {  // NOLINT(bugprone-reserved-identifier)
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  return __real_malloc(size);
}
}

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }

namespace vvc::core {
namespace {

long count_allocations(const QpProblem& p, const DenseQpOptions& options, DenseQpWorkspace& ws,
                       QpSolution& s) {
  allocations = 0;
  counting = true;
  solve(p, options, ws, s);
  counting = false;
  return allocations.load();
}

TEST(DenseQpAllocation, WarmWorkspaceSolvesWithoutAllocating) {
  std::mt19937_64 rng(21);
  for (const auto& [n, m] : {std::pair{3, 26}, std::pair{30, 260}}) {
    testing::RandomQpSpec spec;
    spec.n = n;
    spec.m = m;
    QpProblem p = testing::random_qp(rng, spec);
    DenseQpWorkspace ws;
    QpSolution s;
    DenseQpOptions options;
    options.warm_start = true;
    // The first solve sizes the workspace and the solution: the counter must see it.
    EXPECT_GT(count_allocations(p, options, ws, s), 0);
    ASSERT_TRUE(s.optimal());
    for (int step = 0; step < 10; ++step) {
      p.c += testing::random_vector(rng, n, 0.1);
      p.upper.array() += 0.01;
      EXPECT_EQ(count_allocations(p, options, ws, s), 0) << "n = " << n << ", step " << step;
      ASSERT_TRUE(s.optimal());
    }
    p.P(0, 0) += 1.0;  // a new P is refactorized in place
    EXPECT_EQ(count_allocations(p, options, ws, s), 0);
  }
}

}  // namespace
}  // namespace vvc::core
