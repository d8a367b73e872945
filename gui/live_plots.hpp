// The four live plots of a training run (QCustomPlot): the training curve, transient cost on the left axis and
// steady-state cost on the right one, each zoomed to its validation curve, with the reference controllers and
// the limit as horizontal lines labelled at their right end; |V| over the steps of a selected validation
// scenario with the band shaded and the line under the mouse named on hover; the steady-state |V| profile
// (min, mean, max over the validation scenarios, each drawn its own way); the inverters' reactive powers over
// the steps. A balanced study plots one line per bus, one legend entry each (a click hides or shows it). A
// three-phase study plots one line per monitored node-phase coloured by its phase, with a legend of the three
// phases (a click hides or shows a phase) and a bus picker, the profile per monitored node-phase, and one
// reactive-power line per inverter phase in its phase's colour. Progress arrives in a buffer; a QTimer redraws
// at most every kRefreshMilliseconds, never once per training step.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QComboBox>
#include <QLabel>
#include <QTimer>
#include <QVector>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "training_worker.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/training/observer.hpp"

class QCustomPlot;
class QCPGraph;
class QCPItemText;
class QToolButton;
class QCPRange;

namespace vvc::gui {

/// One line of the transient |V| plot: a column of the traces' |V| matrix, the bus it belongs to and its phase
/// (empty for a balanced study). The legend, the hover text and the CSV export name it by label().
struct VoltageSeries {
  int column = 0;
  QString bus;
  QString phase;
  QString label() const { return phase.isEmpty() ? bus : bus + "." + phase; }
};

/// The series of a study: a balanced one's buses, in bus order; a three-phase one's monitored node-phases, in
/// point order.
std::vector<VoltageSeries> study_series(const core::Study& study);
/// The name of a point of a study: its bus, and ".a", ".b", ".c" for a node-phase.
QString point_label(const core::Study& study, int point);
/// The name of an action: a balanced study's generator, a three-phase study's bus and phase ("671.c").
QString action_label(const core::Study& study, int action);
/// The colour of phase a, b, c (conductor 1, 2, 3) in every three-phase plot.
QColor phase_colour(int conductor);

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
  /// The final |V| (after the last step) of the validation scenario the plots show, one per point of the
  /// study, and its scenario id; empty when no trace has arrived.
  Eigen::VectorXd shown_final_vm() const;
  long shown_scenario_id() const;
  /// Three-phase studies: shows or hides a bus's node-phases in the transient |V| plot (the bus picker).
  void set_bus_shown(const QString& bus, bool shown);
  /// Three-phase studies: shows or hides phase a, b, c (conductor 1, 2, 3), as a click on its legend entry.
  void set_phase_shown(int conductor, bool shown);

  QCustomPlot* curve_plot() const { return curve_; }
  QCustomPlot* voltage_plot() const { return voltage_; }
  QCustomPlot* profile_plot() const { return profile_; }
  QCustomPlot* reactive_plot() const { return reactive_; }
  QComboBox* scenario_selector() const { return scenario_; }
  QToolButton* bus_picker() const { return buses_; }
  int refresh_count() const { return refreshes_; }
  const std::vector<core::LearningPoint>& curve() const { return curve_data_; }
  const std::vector<core::EpisodeTrace>& traces() const { return traces_; }
  const Eigen::MatrixXd& final_vm() const { return final_vm_; }
  const std::vector<VoltageSeries>& voltage_series() const { return series_; }
  /// The text labels of the reference lines on the training curve, in the order of set_references.
  const QVector<QCPItemText*>& reference_labels() const { return reference_labels_; }

  /// Writes BASE-curve, BASE-voltages, BASE-profile and BASE-reactive as .png or .svg. Returns the files
  /// written; throws InputError when one cannot be written.
  QStringList export_images(const QString& base, const QString& format);
  /// Writes BASE-curve.csv, BASE-traces.csv and BASE-profile.csv; throws InputError on failure.
  QStringList export_csv(const QString& base) const;

 signals:
  /// The validation scenario shown changed, or new traces of it arrived (shown_final_vm()).
  void shown_scenario_changed();

 private:
  void rebuild_traces();
  /// Three-phase studies: each node-phase line visible when its phase and its bus are both shown.
  void apply_series_visibility();
  /// Sets both cost axes of the training curve and moves the reference labels to their lines.
  void zoom_curve();
  /// Labels the training curve's axis and its training-signal graphs for the unit the trainer reports in.
  void name_training_unit(core::TrainingUnit unit);

  std::shared_ptr<const core::Study> study_;
  QCustomPlot* curve_;
  QCustomPlot* voltage_;
  QCustomPlot* profile_;
  QCustomPlot* reactive_;
  QComboBox* scenario_;
  QToolButton* buses_;
  QTimer timer_;
  bool dirty_ = false;
  bool traces_dirty_ = false;
  int refreshes_ = 0;
  std::vector<core::LearningPoint> curve_data_;
  QVector<ReferenceLine> references_;
  QVector<QCPItemText*> reference_labels_;
  std::vector<VoltageSeries> series_;
  std::vector<int> series_phase_;         ///< three-phase: each series' conductor number (1, 2, 3)
  std::vector<QCPGraph*> phase_entries_;  ///< three-phase: the legend entries of phases a, b, c (no data)
  std::vector<core::EpisodeTrace> traces_;
  Eigen::MatrixXd final_vm_;
  int iterations_ = 0;
};

/// Writes `bytes` to `path` through common's write_file_atomically (a temporary file, then rename): a failed
/// write throws InputError naming the file and leaves the old file as it was.
void write_file(const QString& path, const QByteArray& bytes);
/// write_file of `text` in UTF-8.
void write_text_file(const QString& path, const QString& text);

/// `r` widened by 8 % on each side (a flat range by a little of its magnitude), so that no point sits on the
/// frame (every chart's axis ranges).
QCPRange padded(QCPRange r);
/// A shaded voltage band [vmin, vmax] over the whole x range, drawn under the curves.
void add_band(QCustomPlot* plot, double vmin, double vmax);
/// A plot with a bold title row, axis labels, drag to pan and wheel to zoom (shared by every chart).
QCustomPlot* make_plot(QWidget* parent, const QString& title, const QString& x_label, const QString& y_label);
/// Moves the legend out of the axes, which it would hide: under them in `columns` columns (Qt::BottomEdge) or
/// beside them in one column (Qt::RightEdge).
void place_legend(QCustomPlot* plot, Qt::Edge edge, int columns);
/// A click on a legend item hides or shows its plottable (a hidden one's item turns grey), then `changed` runs.
void enable_legend_toggling(QCustomPlot* plot, std::function<void()> changed);
/// Hovering the plot shows hover_text() as a tooltip.
void enable_hover_text(QCustomPlot* plot);
/// The name of the visible graph nearest `pixel` (within 8 pixels) and its value there, "" when none is.
QString hover_text(const QCustomPlot* plot, QPointF pixel);
/// The i-th colour of the plots' ten-colour palette (wraps around).
QColor palette_colour(int i);
/// Writes `plot` to `path` as "png" or "svg", at least 640 x 420 px; throws InputError naming the file.
void save_plot(QCustomPlot* plot, const QString& path, const QString& format);

}  // namespace vvc::gui
