#include "comparison_view.hpp"

#include <qcustomplot.h>
#include <QHeaderView>
#include <QSplitter>
#include <QVBoxLayout>
#include <charconv>
#include <cmath>
#include <map>

#include "live_plots.hpp"

namespace vvc::gui {

namespace {

/// Decimals shown per table.csv column, as in table.md; other numeric columns get 4.
int column_digits(const std::string& column) {
  static const std::map<std::string, int> digits = {
      {"paper_transient", 2},  {"paper_steady", 2},        {"percent_steps_out_of_band", 2},
      {"final_violations", 0}, {"power_flow_failures", 0}, {"training_seconds", 1}};
  const auto it = digits.find(column);
  return it == digits.end() ? 4 : it->second;
}

QString legend_name(const LearningCurve& curve, bool validation) {
  const int units = curve.points.back().iteration - curve.points.front().iteration + 1;
  QString name = QStringLiteral("%1 (%2 %3%4)")
                     .arg(QString::fromStdString(curve.method))
                     .arg(units)
                     .arg(QString::fromStdString(curve.unit), units == 1 ? QString() : QStringLiteral("s"));
  if (!validation) name += QObject::tr(", training cost");
  return name;
}

}  // namespace

ComparisonView::ComparisonView(QWidget* parent)
    : QWidget(parent),
      caption_(
          new QLabel(tr("Open a results folder of 'vvc bench table': File > Open results folder"), this)),
      chart_(make_plot(this, tr("Learning curves"), tr("fraction of training completed"),
                       tr("validation transient cost (lower is better)"))),
      table_(new CopyableTable(this)) {
  caption_->setWordWrap(true);
  caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  // The legend sits under the axes, in columns, as in the training curve: inside it would hide the curves.
  chart_->legend->setVisible(true);
  chart_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  chart_->legend->setWrap(3);
  chart_->axisRect()->insetLayout()->take(chart_->legend);
  chart_->plotLayout()->addElement(2, 0, chart_->legend);
  chart_->plotLayout()->setRowStretchFactor(2, 0.001);
  chart_->legend->setMargins(QMargins(4, 2, 4, 2));
  chart_->legend->setFont(QFont(font().family(), 8));

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(chart_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(caption_);
  layout->addWidget(split, 1);
}

void ComparisonView::set_results(const ResultsFolder& folder) {
  const QString name = QString::fromStdString(folder.path.filename().string());
  // make_plot puts the title in the first row.
  static_cast<QCPTextElement*>(chart_->plotLayout()->element(0, 0))
      ->setText(tr("Learning curves: %1").arg(name));
  chart_->clearGraphs();
  int with_validation = 0;
  for (size_t i = 0; i < folder.curves.size(); ++i) {
    const LearningCurve& curve = folder.curves[i];
    const PlottedCurve plotted = plotted_curve(curve);
    QCPGraph* g = chart_->addGraph();
    g->setName(legend_name(curve, plotted.validation));
    g->setPen(
        QPen(palette_colour(static_cast<int>(i)), 1.5, plotted.validation ? Qt::SolidLine : Qt::DashLine));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    g->setData(QVector<double>(plotted.fraction.begin(), plotted.fraction.end()),
               QVector<double>(plotted.cost.begin(), plotted.cost.end()), true);
    with_validation += plotted.validation ? 1 : 0;
  }
  chart_->rescaleAxes();
  chart_->xAxis->setRange(0.0, 1.02);
  chart_->yAxis->scaleRange(1.08, chart_->yAxis->range().center());
  chart_->replot();

  table_->setSortingEnabled(false);
  table_->clear();
  const ResultsTable& t = folder.table;
  table_->setColumnCount(static_cast<int>(t.header.size()));
  QStringList header;
  for (const std::string& h : t.header) header << QString::fromStdString(h);
  table_->setHorizontalHeaderLabels(header);
  table_->setRowCount(static_cast<int>(t.rows.size()));
  for (size_t r = 0; r < t.rows.size(); ++r) {
    for (size_t c = 0; c < t.header.size(); ++c) {
      const std::string& text = t.rows[r][c];
      QTableWidgetItem* item = nullptr;
      if (c < 2) {  // method and kind
        item = new QTableWidgetItem(QString::fromStdString(text));
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
      } else {
        // read_results_table checked that the field is empty or a number.
        double value = std::nan("");
        if (!text.empty()) std::from_chars(text.data(), text.data() + text.size(), value);
        item = new NumberItem(value, column_digits(t.header[c]));
        item->setToolTip(QString::fromStdString(text));
      }
      table_->setItem(static_cast<int>(r), static_cast<int>(c), item);
    }
  }
  table_->resizeColumnsToContents();
  // Keep table.csv's row order (reference controllers first) until the user clicks a header.
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  table_->setSortingEnabled(true);

  QString caption = tr("%1: %2 learning curves, %3 methods in the table. x: the fraction of each method's "
                       "training completed; y: its validation transient cost")
                        .arg(QString::fromStdString(folder.path.string()))
                        .arg(folder.curves.size())
                        .arg(t.rows.size());
  const size_t without = folder.curves.size() - static_cast<size_t>(with_validation);
  caption += without == 0
                 ? QStringLiteral(".")
                 : tr(" (%1 curves without validation values show the training cost, dashed).").arg(without);
  caption_->setText(caption);
}

}  // namespace vvc::gui
