// The pieces of a distributed run that one process can check: the shares of the ranks, the messages (every value
// read back bit for bit) and the serial communicator. Runs on several ranks: tests/cli/mpi_*.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "vvc/core/distributed/communicator.hpp"
#include "vvc/core/distributed/messages.hpp"

namespace vvc::core {
namespace {

TEST(Share, RanksCoverTheItemsInOrderWithSharesDifferingByOneAtMost) {
  for (int size = 1; size <= 9; ++size) {
    for (int count = 0; count <= 40; ++count) {
      int next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const Share s = share_of(count, rank, size);
        EXPECT_EQ(s.first, next);
        EXPECT_LE(s.last - s.first, count / size + 1);
        EXPECT_GE(s.last - s.first, count / size);
        next = s.last;
      }
      EXPECT_EQ(next, count);
    }
  }
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

TEST(Bytes, ValuesStringsAndArraysReadBackBitForBit) {
  Eigen::MatrixXd m(2, 3);
  m << 1.0 / 3.0, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e-310, -HUGE_VAL, 7.0;
  const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(5, -1.0, 1.0) / 7.0;
  ByteWriter out;
  out.put(0.1 + 0.2);
  out.put<std::int64_t>(-42);
  out.put(std::string("a,b\n\"c\""));
  out.put(m);
  out.put(v);
  out.put(Eigen::MatrixXd(0, 4));
  out.put(true);
  ByteReader in(out.bytes());
  EXPECT_TRUE(same_bits(in.get<double>(), 0.1 + 0.2));
  EXPECT_EQ(in.get<std::int64_t>(), -42);
  EXPECT_EQ(in.text(), "a,b\n\"c\"");
  const Eigen::MatrixXd m2 = in.matrix();
  ASSERT_EQ(m2.rows(), 2);
  ASSERT_EQ(m2.cols(), 3);
  for (Eigen::Index i = 0; i < m.size(); ++i) EXPECT_TRUE(same_bits(m2.data()[i], m.data()[i]));
  const Eigen::VectorXd v2 = in.vector();
  ASSERT_EQ(v2.size(), v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) EXPECT_TRUE(same_bits(v2[i], v[i]));
  const Eigen::MatrixXd empty = in.matrix();
  EXPECT_EQ(empty.rows(), 0);
  EXPECT_EQ(empty.cols(), 4);
  EXPECT_TRUE(in.get<bool>());
  EXPECT_TRUE(in.done());
}

TEST(Messages, AnEvaluationAndATrainingSummaryReadBackWhole) {
  Evaluation ev;
  ev.summary.controller = "diffop-step";
  for (int i = 0; i < 3; ++i) {
    EpisodeRecord r;
    r.id = 10 + i;
    r.kind = i % 2;
    r.label = "scenario " + std::to_string(i);
    r.status = i == 2 ? EpisodeStatus::kStepFailures : EpisodeStatus::kCompleted;
    r.transient = -6.8 + i / 3.0;
    r.steady = -0.1 * i;
    r.steps_out_of_band = i;
    r.ends_in_band = i != 1;
    ev.episodes.push_back(r);
  }
  EpisodeTrace t;
  t.id = 10;
  t.vm = Eigen::MatrixXd::Random(4, 5);
  t.q = Eigen::MatrixXd::Random(4, 2);
  ev.traces.push_back(t);
  ev.final_vm = Eigen::MatrixXd::Random(2, 5);
  TrainingSummary s;
  s.method = "DiffOP(Step)";
  s.termination = TrainingTermination::kStoppedByObserver;
  s.iterations = 2;
  s.seeds = {{0, 7}, {7, 100}};
  s.curve.resize(2);
  s.curve[1].validation_transient = -6.5;
  s.curve[1].fallback_steps = 3;

  ByteWriter out;
  put(out, ev);
  put(out, s);
  ByteReader in(out.bytes());
  Evaluation ev2;
  TrainingSummary s2;
  get(in, ev2);
  get(in, s2);
  EXPECT_TRUE(in.done());
  EXPECT_EQ(ev2.summary.controller, "diffop-step");
  ASSERT_EQ(ev2.episodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ev2.episodes[i].id, ev.episodes[i].id);
    EXPECT_EQ(ev2.episodes[i].label, ev.episodes[i].label);
    EXPECT_EQ(ev2.episodes[i].status, ev.episodes[i].status);
    EXPECT_EQ(ev2.episodes[i].transient, ev.episodes[i].transient);
    EXPECT_EQ(ev2.episodes[i].ends_in_band, ev.episodes[i].ends_in_band);
  }
  ASSERT_EQ(ev2.traces.size(), 1u);
  EXPECT_EQ(ev2.traces[0].vm, t.vm);
  EXPECT_EQ(ev2.traces[0].q, t.q);
  EXPECT_EQ(ev2.final_vm, ev.final_vm);
  EXPECT_EQ(s2.method, s.method);
  EXPECT_TRUE(s2.stopped());
  EXPECT_EQ(s2.seeds.training.last, 100);
  ASSERT_EQ(s2.curve.size(), 2u);
  EXPECT_FALSE(s2.curve[0].validated());
  EXPECT_EQ(s2.curve[1].validation_transient, -6.5);
  EXPECT_EQ(s2.curve[1].fallback_steps, 3);
}

TEST(SerialCommunicator, IsOneRankThatGathersItsOwnShareOfEverything) {
  const Communicator& c = serial_communicator();
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  const auto parts = gather_shares(
      c, 5, [](int first, int last) { return std::to_string(first) + ":" + std::to_string(last); });
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "0:5");
  EXPECT_TRUE(any_rank(c, true));
  EXPECT_FALSE(first_input_failure(c, "").has_value());
  EXPECT_EQ(first_input_failure(c, "bad").value_or(""), "bad");
}

TEST(Messages, InputFilesReadBackByPath) {
  const grid::MemorySourceFiles files{{"cases/a/study.json", "{\"x\": 1}"},
                                      {"cases/a/b.dss", std::string("\0\n", 2)}};
  ByteWriter out;
  put(out, files);
  ByteReader in(out.bytes());
  grid::MemorySourceFiles back;
  get(in, back);
  EXPECT_TRUE(in.done());
  EXPECT_EQ(back.files(), files.files());
}

TEST(ReadInputs, OneProcessReadsFromDiskAndRethrowsTheInputErrorItself) {
  std::string text;
  read_inputs(serial_communicator(), [&](const grid::SourceFiles& files) {
    text = files.read(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_tasrl/study.json");
  });
  EXPECT_NE(text.find("vvc.study"), std::string::npos);
  EXPECT_THROW(
      read_inputs(serial_communicator(), [](const grid::SourceFiles& files) { files.read("/no/such/file"); }),
      InputError);
}

TEST(AgreeOnInputs, OneProcessRethrowsTheInputErrorItself) {
  EXPECT_THROW(agree_on_inputs(serial_communicator(), [] { throw InputError("x: bad"); }), InputError);
  EXPECT_NO_THROW(agree_on_inputs(serial_communicator(), [] {}));
}

}  // namespace
}  // namespace vvc::core
