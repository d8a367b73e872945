// The Comparison tab: the learning curves of a results folder (`vvc bench table --out DIR`) in one chart, one
// graph per curves/<method>.csv over the fraction of training completed (results_folder.hpp says what is
// drawn), and the folder's table.csv as a sortable, copyable table.
#pragma once

#include <QLabel>
#include <QWidget>

#include "results_folder.hpp"
#include "results_table.hpp"

class QCustomPlot;

namespace vvc::gui {

class ComparisonView : public QWidget {
  Q_OBJECT

 public:
  explicit ComparisonView(QWidget* parent = nullptr);

  /// Shows `folder` (replacing what was shown).
  void set_results(const ResultsFolder& folder);

  QCustomPlot* chart() const { return chart_; }
  CopyableTable* table() const { return table_; }

 private:
  QLabel* caption_;
  QCustomPlot* chart_;
  CopyableTable* table_;
};

}  // namespace vvc::gui
