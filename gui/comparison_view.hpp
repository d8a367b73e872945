// The Comparison tab: the learning curves of a results folder (`vvc bench table --out DIR`) in one chart, one
// graph per curves/<method>.csv (results_folder.hpp says what is drawn), each method's final evaluation from
// table.csv marked at the end of its curve on the right axis, and the folder's table.csv as a sortable,
// copyable table with every column shown whole.
//
// Reading the chart: x is the fraction of each method's training completed, the environment steps its training
// used, or its wall time (a selector above the chart; the last two on a log scale). The cost axis is zoomed to
// the better half of the methods shown (by their last value), so that the best ones do not crowd together
// under the worst one's range; the others run off the top. A click on a legend entry hides or shows a method,
// and the axes follow the methods shown.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QVector>
#include <QWidget>
#include <optional>

#include "results_folder.hpp"
#include "results_table.hpp"

class QCustomPlot;
class QCPGraph;

namespace vvc::gui {

class ComparisonView : public QWidget {
  Q_OBJECT

 public:
  explicit ComparisonView(QWidget* parent = nullptr);

  /// Shows `folder` (replacing what was shown).
  void set_results(const ResultsFolder& folder);
  /// Draws the curves over `axis` (what the x-axis selector does).
  void set_axis(CurveAxis axis);

  QCustomPlot* chart() const { return chart_; }
  CopyableTable* table() const { return table_; }
  QComboBox* axis_selector() const { return axis_; }
  QLabel* caption() const { return caption_; }
  /// One graph per learning curve, in the folder's file order.
  const QVector<QCPGraph*>& curves() const { return curves_; }
  /// Each curve's final-evaluation marker (right axis), null when table.csv has no row for its method.
  const QVector<QCPGraph*>& markers() const { return markers_; }

 private:
  void draw();
  /// Sets both cost axes and the x axis from the methods shown.
  void zoom();

  QLabel* caption_;
  QComboBox* axis_;
  QCustomPlot* chart_;
  CopyableTable* table_;
  std::optional<ResultsFolder> folder_;
  QVector<QCPGraph*> curves_;
  QVector<QCPGraph*> markers_;
};

}  // namespace vvc::gui
