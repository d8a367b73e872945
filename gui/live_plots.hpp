// The four live plots of a training run (QCustomPlot): the training curve with the reference controllers and
// the limit as horizontal lines; |V| per bus over the steps of a selected validation scenario with the band
// shaded; the steady-state |V| profile per bus (min, mean, max over the validation scenarios); the inverters'
// reactive powers over the steps. Progress arrives in a buffer; a QTimer redraws at most every
// kRefreshMilliseconds, never once per training step.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QComboBox>
#include <QLabel>
#include <QTimer>
#include <QVector>
#include <QWidget>
#include <memory>
#include <vector>

#include "training_worker.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/training/observer.hpp"

class QCustomPlot;

namespace vvc::gui {

class LivePlots : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kRefreshMilliseconds = 150;

  explicit LivePlots(QWidget* parent = nullptr);

  /// Clears every plot for a new run on `study` (null: no study).
  void reset(std::shared_ptr<const core::Study> study);
  void set_references(const QVector<ReferenceLine>& lines);
  /// Buffers a progress snapshot; the next timer tick draws it.
  void add_progress(const core::TrainingProgress& progress);
  /// Copies the buffers into the plots and replots, if anything changed.
  void refresh();

  QCustomPlot* curve_plot() const { return curve_; }
  QCustomPlot* voltage_plot() const { return voltage_; }
  QCustomPlot* profile_plot() const { return profile_; }
  QCustomPlot* reactive_plot() const { return reactive_; }
  int refresh_count() const { return refreshes_; }
  const std::vector<core::LearningPoint>& curve() const { return curve_data_; }
  const std::vector<core::EpisodeTrace>& traces() const { return traces_; }
  const Eigen::MatrixXd& final_vm() const { return final_vm_; }

  /// Writes BASE-curve, BASE-voltages, BASE-profile and BASE-reactive as .png or .svg. Returns the files
  /// written; throws InputError when one cannot be written.
  QStringList export_images(const QString& base, const QString& format);
  /// Writes BASE-curve.csv, BASE-traces.csv and BASE-profile.csv; throws InputError on failure.
  QStringList export_csv(const QString& base) const;

 private:
  void rebuild_traces();

  std::shared_ptr<const core::Study> study_;
  QCustomPlot* curve_;
  QCustomPlot* voltage_;
  QCustomPlot* profile_;
  QCustomPlot* reactive_;
  QComboBox* scenario_;
  QTimer timer_;
  bool dirty_ = false;
  bool traces_dirty_ = false;
  int refreshes_ = 0;
  std::vector<core::LearningPoint> curve_data_;
  QVector<ReferenceLine> references_;
  std::vector<core::EpisodeTrace> traces_;
  Eigen::MatrixXd final_vm_;
  int iterations_ = 0;
};

/// Writes `bytes` to `path` through common's write_file_atomically (a temporary file, then rename): a failed
/// write throws InputError naming the file and leaves the old file as it was.
void write_file(const QString& path, const QByteArray& bytes);
/// write_file of `text` in UTF-8.
void write_text_file(const QString& path, const QString& text);

/// A plot with a bold title row, axis labels, drag to pan and wheel to zoom (shared by every chart).
QCustomPlot* make_plot(QWidget* parent, const QString& title, const QString& x_label, const QString& y_label);
/// The i-th colour of the plots' ten-colour palette (wraps around).
QColor palette_colour(int i);
/// Writes `plot` to `path` as "png" or "svg", at least 640 x 420 px; throws InputError naming the file.
void save_plot(QCustomPlot* plot, const QString& path, const QString& format);

}  // namespace vvc::gui
