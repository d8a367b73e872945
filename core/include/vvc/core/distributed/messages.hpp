// What the ranks of a distributed run send each other (communicator.hpp): the input files rank 0 read, the
// records of evaluated episodes, the summaries and learning curves of trained methods.
#pragma once

#include "vvc/core/distributed/bytes.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/schedule.hpp"
#include "vvc/grid/io/source_files.hpp"

namespace vvc::core {

/// Every file's path and bytes.
void put(ByteWriter& out, const grid::MemorySourceFiles& files);
void get(ByteReader& in, grid::MemorySourceFiles& files);
void put(ByteWriter& out, const EpisodeRecord& record);
void get(ByteReader& in, EpisodeRecord& record);
void put(ByteWriter& out, const EpisodeTrace& trace);
void get(ByteReader& in, EpisodeTrace& trace);
/// The records, traces and final |V| of an evaluation (its summary is recomputed from the records).
void put(ByteWriter& out, const Evaluation& evaluation);
void get(ByteReader& in, Evaluation& evaluation);
void put(ByteWriter& out, const EvaluationSummary& summary);
void get(ByteReader& in, EvaluationSummary& summary);
void put(ByteWriter& out, const LearningPoint& point);
void get(ByteReader& in, LearningPoint& point);
void put(ByteWriter& out, const TrainingSummary& summary);
void get(ByteReader& in, TrainingSummary& summary);

}  // namespace vvc::core
