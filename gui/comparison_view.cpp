#include "comparison_view.hpp"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "live_plots.hpp"

namespace vvc::gui {

namespace {

/// Decimals shown per table.csv column, as in table.md; other numeric columns get 4.
int column_digits(const std::string& column) {
  static const std::map<std::string, int> digits = {
      {"paper_transient", 2},  {"paper_steady", 2},    {"percent_steps_out_of_band", 2},
      {"final_violations", 0}, {"late_recoveries", 0}, {"power_flow_failures", 0},
      {"training_seconds", 1}};
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

/// A table.csv column name as a header of at most two lines: "percent_steps_out_of_band" reads
/// "percent steps\nout of band", so that the table's columns fit beside each other.
QString header_label(const std::string& column) {
  QString text = QString::fromStdString(column).replace('_', ' ');
  if (text.size() <= 10) return text;
  int best = -1;
  for (int i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' && (best < 0 || std::abs(i - text.size() / 2) < std::abs(best - text.size() / 2)))
      best = i;
  }
  if (best >= 0) text[best] = '\n';
  return text;
}

}  // namespace

ComparisonView::ComparisonView(QWidget* parent)
    : QWidget(parent),
      caption_(
          new QLabel(tr("Open a results folder of 'vvc bench table': File > Open results folder"), this)),
      axis_(new QComboBox(this)),
      chart_(make_plot(this, tr("Learning curves"), tr("fraction of training completed"),
                       tr("validation transient cost (lower is better)"))),
      table_(new CopyableTable(this)) {
  caption_->setWordWrap(true);
  caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  axis_->addItem(tr("fraction of training completed"), static_cast<int>(CurveAxis::kFraction));
  axis_->addItem(tr("environment steps (samples)"), static_cast<int>(CurveAxis::kSamples));
  axis_->addItem(tr("wall time (s)"), static_cast<int>(CurveAxis::kSeconds));
  axis_->setToolTip(tr("What the chart's x axis counts; samples and wall time on a log scale"));
  connect(axis_, &QComboBox::currentIndexChanged, this,
          [this] { set_axis(static_cast<CurveAxis>(axis_->currentData().toInt())); });
  // The legend sits under the axes, in columns, as in the training curve: inside it would hide the curves.
  place_legend(chart_, Qt::BottomEdge, 3);
  enable_legend_toggling(chart_, [this] {
    for (int i = 0; i < curves_.size(); ++i) {
      if (markers_[i] != nullptr) markers_[i]->setVisible(curves_[i]->visible());
    }
    zoom();
  });
  enable_hover_text(chart_);
  chart_->yAxis2->setLabel(tr("final evaluation, table.csv (diamonds)"));
  chart_->yAxis2->setVisible(true);
  table_->horizontalHeader()->setStretchLastSection(false);

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("x axis:"), this));
  bar->addWidget(axis_);
  bar->addStretch();
  auto* top = new QWidget(this);
  auto* top_layout = new QVBoxLayout(top);
  top_layout->setContentsMargins(0, 0, 0, 0);
  top_layout->addLayout(bar);
  top_layout->addWidget(chart_, 1);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(top);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(caption_);
  layout->addWidget(split, 1);
}

void ComparisonView::set_axis(CurveAxis axis) {
  const int index = axis_->findData(static_cast<int>(axis));
  if (axis_->currentIndex() != index) {
    axis_->setCurrentIndex(index);  // draws through the selector's signal
    return;
  }
  draw();
}

void ComparisonView::draw() {
  if (!folder_) return;
  const auto axis = static_cast<CurveAxis>(axis_->currentData().toInt());
  chart_->xAxis->setLabel(axis_->currentText());
  const bool log = axis != CurveAxis::kFraction;
  chart_->xAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (log) {
    chart_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  } else {
    chart_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
  }
  for (int i = 0; i < curves_.size(); ++i) {
    const LearningCurve& curve = folder_->curves[static_cast<size_t>(i)];
    const PlottedCurve plotted = plotted_curve(curve, axis);
    QVector<double> x, y;
    for (size_t k = 0; k < plotted.x.size(); ++k) {
      if (log && !(plotted.x[k] > 0.0)) continue;  // a log axis has no place for 0
      x << plotted.x[k];
      y << plotted.cost[k];
    }
    curves_[i]->setData(x, y, true);
    if (markers_[i] != nullptr) {
      const double at = x.isEmpty() ? std::nan("") : x.back();
      markers_[i]->setData({at}, {markers_[i]->property("transient").toDouble()}, true);
    }
  }
  zoom();
}

void ComparisonView::zoom() {
  // The better half of the methods shown, by the last value of their curves.
  std::vector<std::pair<double, int>> shown;
  for (int i = 0; i < curves_.size(); ++i) {
    if (curves_[i]->visible() && curves_[i]->dataCount() > 0) {
      shown.emplace_back((curves_[i]->data()->constEnd() - 1)->value, i);
    }
  }
  std::sort(shown.begin(), shown.end());
  shown.resize((shown.size() + 1) / 2);
  std::optional<QCPRange> cost, final_cost, x;
  auto widen = [](std::optional<QCPRange>& r, double v) {
    if (!std::isfinite(v)) return;
    if (!r) r = QCPRange(v, v);
    r->expand(v);
  };
  for (const auto& [last, i] : shown) {
    for (auto it = curves_[i]->data()->constBegin(); it != curves_[i]->data()->constEnd(); ++it) {
      widen(cost, it->value);
    }
    if (markers_[i] != nullptr && markers_[i]->dataCount() > 0)
      widen(final_cost, markers_[i]->data()->at(0)->value);
  }
  for (const QCPGraph* g : curves_) {
    if (!g->visible()) continue;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) widen(x, it->key);
  }
  if (cost) chart_->yAxis->setRange(padded(*cost));
  if (final_cost) chart_->yAxis2->setRange(padded(*final_cost));
  if (chart_->xAxis->scaleType() == QCPAxis::stLogarithmic) {
    if (x) chart_->xAxis->setRange(x->lower / 1.3, x->upper * 1.3);
  } else {
    chart_->xAxis->setRange(0.0, 1.02);
  }
  chart_->replot();
}

void ComparisonView::set_results(const ResultsFolder& folder) {
  folder_ = folder;
  const QString name = QString::fromStdString(folder.path.filename().string());
  // make_plot puts the title in the first row.
  static_cast<QCPTextElement*>(chart_->plotLayout()->element(0, 0))
      ->setText(tr("Learning curves: %1").arg(name));
  chart_->clearGraphs();
  curves_.clear();
  markers_.clear();
  int with_validation = 0;
  QStringList without_samples;
  for (size_t i = 0; i < folder.curves.size(); ++i) {
    const LearningCurve& curve = folder.curves[i];
    const bool validation = plotted_curve(curve).validation;
    const QColor colour = palette_colour(static_cast<int>(i));
    QCPGraph* g = chart_->addGraph();
    g->setName(legend_name(curve, validation));
    g->setPen(QPen(colour, 1.5, validation ? Qt::SolidLine : Qt::DashLine));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    curves_ << g;
    with_validation += validation ? 1 : 0;
    if (!curve.has_samples) without_samples << QString::fromStdString(curve.method);
    const double final_transient = table_transient(folder.table, curve.method);
    QCPGraph* marker = nullptr;
    if (std::isfinite(final_transient)) {
      marker = chart_->addGraph(chart_->xAxis, chart_->yAxis2);
      marker->setName(tr("%1, final evaluation").arg(QString::fromStdString(curve.method)));
      marker->setLineStyle(QCPGraph::lsNone);
      marker->setScatterStyle(
          QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(colour.darker(150), 1.0), colour, 11));
      marker->setProperty("transient", final_transient);
      marker->removeFromLegend();
    }
    markers_ << marker;
  }
  draw();

  table_->setSortingEnabled(false);
  table_->clear();
  const ResultsTable& t = folder.table;
  table_->setColumnCount(static_cast<int>(t.header.size()));
  for (size_t c = 0; c < t.header.size(); ++c) {
    auto* item = new QTableWidgetItem(header_label(t.header[c]));
    item->setData(CopyableTable::kHeaderNameRole, QString::fromStdString(t.header[c]));
    item->setToolTip(QString::fromStdString(t.header[c]));
    table_->setHorizontalHeaderItem(static_cast<int>(c), item);
  }
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

  QString caption =
      tr("%1: %2 learning curves, %3 methods in the table. y: each method's validation "
         "transient cost on the validation seeds of its run; diamonds (right axis): its final "
         "evaluation in table.csv. The cost axis shows the better half of the methods shown; click "
         "a legend entry to hide or show a method")
          .arg(QString::fromStdString(folder.path.string()))
          .arg(folder.curves.size())
          .arg(t.rows.size());
  const size_t without = folder.curves.size() - static_cast<size_t>(with_validation);
  caption += without == 0
                 ? QStringLiteral(".")
                 : tr(" (%1 curves without validation values show the training cost, dashed).").arg(without);
  if (without_samples.size() == static_cast<int>(folder.curves.size())) {
    caption += tr(" No environment steps in these curves (written before the samples column).");
  } else if (!without_samples.isEmpty()) {
    caption += tr(" No environment steps in the curves of %1 (written before the samples column).")
                   .arg(without_samples.join(", "));
  }
  caption_->setText(caption);
}

}  // namespace vvc::gui
