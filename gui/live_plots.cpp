#include "live_plots.hpp"

#include <qcustomplot.h>
#include <QBuffer>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QSvgGenerator>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"

namespace vvc::gui {

namespace {

QVector<double> range_vector(int n) {
  QVector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = i;
  return x;
}

void rescale_with_band(QCustomPlot* plot, double vmin, double vmax) {
  plot->rescaleAxes();
  const QCPRange r = plot->yAxis->range();
  plot->yAxis->setRange(std::min(r.lower, vmin) - 0.005, std::max(r.upper, vmax) + 0.005);
}

/// The smallest range holding every finite value, or nothing when there is none.
std::optional<QCPRange> span_of(const QVector<double>& values) {
  std::optional<QCPRange> r;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (!r) r = QCPRange(v, v);
    r->expand(v);
  }
  return r;
}

/// The cost axis zoomed to `focus` (the validation curve, or the rollouts before the first validation), widened
/// to the reference values that lie near it: within one span of it, or 5 % of its magnitude when it is
/// narrower. References far away (the zero controller's 0 beside costs near -7) keep out of the range, so that
/// the curve does not shrink to a line; their labels then sit at the axis edge (zoom_curve).
QCPRange cost_range(QCPRange focus, const QVector<double>& references) {
  const double reach = std::max(focus.size(), 0.05 * std::abs(focus.center()));
  QCPRange r = focus;
  for (double v : references) {
    if (std::isfinite(v) && v >= focus.lower - reach && v <= focus.upper + reach) r.expand(v);
  }
  return padded(r);
}

}  // namespace

std::vector<VoltageSeries> bus_series(const core::Study& study) {
  std::vector<VoltageSeries> out;
  for (int b = 0; b < study.network.num_buses(); ++b) {
    out.push_back({b, QString::fromStdString(study.network.buses[static_cast<size_t>(b)].name), QString()});
  }
  return out;
}

void place_legend(QCustomPlot* plot, Qt::Edge edge, int columns) {
  QCPLegend* legend = plot->legend;
  legend->setVisible(true);
  plot->axisRect()->insetLayout()->take(legend);
  legend->setMargins(QMargins(4, 2, 4, 2));
  legend->setFont(QFont(plot->font().family(), 8));
  if (edge == Qt::RightEdge) {
    // In a column of its own beside the axes, its items at the top.
    auto* column = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 1, column);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    column->addElement(0, 0, legend);
    column->addElement(1, 0, new QCPLayoutElement(plot));
    column->setRowStretchFactor(0, 0.001);
  } else {
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(columns);
    plot->plotLayout()->addElement(2, 0, legend);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
  }
}

void enable_legend_toggling(QCustomPlot* plot, std::function<void()> changed) {
  QObject::connect(
      plot, &QCustomPlot::legendClick, plot,
      [plot, changed = std::move(changed)](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
        auto* entry = qobject_cast<QCPPlottableLegendItem*>(item);
        if (entry == nullptr) return;
        QCPAbstractPlottable* p = entry->plottable();
        p->setVisible(!p->visible());
        entry->setTextColor(p->visible() ? QColor(Qt::black) : QColor(170, 170, 170));
        if (changed) changed();
        plot->replot();
      });
}

QString hover_text(const QCustomPlot* plot, QPointF pixel) {
  const QCPGraph* nearest = nullptr;
  double distance = 8.0;
  for (int g = 0; g < plot->graphCount(); ++g) {
    const QCPGraph* graph = plot->graph(g);
    if (!graph->visible() || graph->dataCount() == 0) continue;
    const double d = graph->selectTest(pixel, false);
    if (d >= 0.0 && d < distance) {
      distance = d;
      nearest = graph;
    }
  }
  if (nearest == nullptr) return {};
  const double key = nearest->keyAxis()->pixelToCoord(pixel.x());
  auto point = nearest->data()->constBegin();
  for (auto it = nearest->data()->constBegin(); it != nearest->data()->constEnd(); ++it) {
    if (std::abs(it->key - key) < std::abs(point->key - key)) point = it;
  }
  const QCPAxis* x = nearest->keyAxis();
  QString where = QStringLiteral("%1 %2").arg(x->label()).arg(point->key);
  if (const auto names = qSharedPointerDynamicCast<QCPAxisTickerText>(x->ticker())) {
    if (names->ticks().contains(point->key)) where = x->label() + " " + names->ticks().value(point->key);
  }
  return QStringLiteral("%1: %2 (%3)").arg(nearest->name()).arg(point->value, 0, 'g', 6).arg(where);
}

void enable_hover_text(QCustomPlot* plot) {
  QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot](QMouseEvent* event) {
    const QString text = hover_text(plot, event->position());
    if (text.isEmpty()) {
      QToolTip::hideText();
    } else {
      QToolTip::showText(event->globalPosition().toPoint(), text, plot);
    }
  });
}

void write_file(const QString& path, const QByteArray& bytes) {
  write_file_atomically(path.toStdString(), bytes.toStdString());
}

void write_text_file(const QString& path, const QString& text) { write_file(path, text.toUtf8()); }

void add_band(QCustomPlot* plot, double vmin, double vmax) {
  auto* rect = new QCPItemRect(plot);
  rect->setLayer("background");
  rect->topLeft->setTypeX(QCPItemPosition::ptAxisRectRatio);
  rect->topLeft->setTypeY(QCPItemPosition::ptPlotCoords);
  rect->bottomRight->setTypeX(QCPItemPosition::ptAxisRectRatio);
  rect->bottomRight->setTypeY(QCPItemPosition::ptPlotCoords);
  rect->topLeft->setCoords(0.0, vmax);
  rect->bottomRight->setCoords(1.0, vmin);
  rect->setPen(QPen(QColor(80, 160, 80, 120)));
  rect->setBrush(QColor(120, 200, 120, 60));
}

QCPRange padded(QCPRange r) {
  const double pad = r.size() > 0.0 ? 0.08 * r.size() : 0.02 * std::max(1e-3, std::abs(r.center()));
  return QCPRange(r.lower - pad, r.upper + pad);
}

QCustomPlot* make_plot(QWidget* parent, const QString& title, const QString& x_label,
                       const QString& y_label) {
  auto* plot = new QCustomPlot(parent);
  plot->setMinimumSize(320, 220);
  plot->setNotAntialiasedElements(QCP::aeAll);  // the software raster redraws far faster without it
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(
      0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), 10, QFont::Bold)));
  plot->xAxis->setLabel(x_label);
  plot->yAxis->setLabel(y_label);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  return plot;
}

QColor palette_colour(int i) {
  static const QColor colours[] = {QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
                                   QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                                   QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                   QColor(23, 190, 207)};
  return colours[i % 10];
}

void save_plot(QCustomPlot* plot, const QString& path, const QString& format) {
  const int w = std::max(plot->width(), 640);
  const int h = std::max(plot->height(), 420);
  // Drawn into memory first, then written through write_file, so that a failed write keeps the old file.
  QByteArray bytes;
  QBuffer buffer(&bytes);
  bool ok = false;
  if (format == "svg") {
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(QSize(w, h));
    generator.setViewBox(QRect(0, 0, w, h));
    generator.setTitle(QFileInfo(path).completeBaseName());
    QCPPainter painter;
    ok = painter.begin(&generator);
    if (ok) {
      plot->toPainter(&painter, w, h);
      ok = painter.end();
    }
  } else {
    ok = buffer.open(QIODevice::WriteOnly) && plot->toPixmap(w, h).save(&buffer, "PNG");
  }
  if (!ok) throw InputError(path.toStdString() + ": cannot draw the plot");
  write_file(path, bytes);
}

LivePlots::LivePlots(QWidget* parent)
    : QWidget(parent),
      curve_(make_plot(this, tr("Training curve"), tr("iteration"), tr("cost (discounted sum of F)"))),
      voltage_(make_plot(this, tr("Transient |V| per bus"), tr("step"), tr("|V| (pu)"))),
      profile_(make_plot(this, tr("Steady-state |V| profile"), tr("bus"), tr("|V| (pu)"))),
      reactive_(make_plot(this, tr("Inverter reactive power"), tr("step"), tr("q (MVar)"))),
      scenario_(new QComboBox(this)) {
  auto* grid = new QGridLayout;
  grid->addWidget(curve_, 0, 0);
  grid->addWidget(voltage_, 0, 1);
  grid->addWidget(profile_, 1, 0);
  grid->addWidget(reactive_, 1, 1);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Validation scenario shown:"), this));
  scenario_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  scenario_->setMinimumContentsLength(12);
  scenario_->setToolTip(tr("Which traced validation scenario the |V| and q trajectories show"));
  bar->addWidget(scenario_);
  bar->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addLayout(grid, 1);
  // Transient and steady-state costs differ by two orders of magnitude: each has its own axis.
  curve_->yAxis->setLabel(tr("transient cost (discounted sum of F)"));
  curve_->yAxis2->setLabel(tr("steady-state cost F(q_T)"));
  curve_->yAxis2->setVisible(true);
  curve_->yAxis2->setNumberFormat("g");
  curve_->yAxis2->setNumberPrecision(4);
  place_legend(curve_, Qt::BottomEdge, 2);
  place_legend(voltage_, Qt::RightEdge, 1);
  place_legend(profile_, Qt::BottomEdge, 3);
  place_legend(reactive_, Qt::BottomEdge, 3);
  enable_legend_toggling(voltage_, {});
  for (QCustomPlot* p : {voltage_, profile_, reactive_}) enable_hover_text(p);
  connect(scenario_, &QComboBox::currentIndexChanged, this, [this] {
    traces_dirty_ = true;
    dirty_ = true;
    refresh();
  });
  timer_.setInterval(kRefreshMilliseconds);
  connect(&timer_, &QTimer::timeout, this, &LivePlots::refresh);
  timer_.start();
  reset(nullptr);
}

void LivePlots::reset(std::shared_ptr<const core::Study> study) {
  study_ = std::move(study);
  curve_data_.clear();
  references_.clear();
  traces_.clear();
  final_vm_.resize(0, 0);
  iterations_ = 0;
  for (QCustomPlot* p : {curve_, voltage_, profile_, reactive_}) {
    p->clearGraphs();
    p->clearItems();
  }
  reference_labels_.clear();
  series_ = study_ ? bus_series(*study_) : std::vector<VoltageSeries>{};
  // Graphs 0 and 2 (transient) on the left axis, 1 and 3 (steady state) on the right one.
  // The exploring rollouts are noisy and may leave the validation zoom: drawn light.
  QColor rollout = palette_colour(0);
  rollout.setAlpha(110);
  curve_->addGraph()->setName(tr("rollouts, transient"));
  curve_->graph(0)->setPen(QPen(rollout, 1.0));
  curve_->addGraph(curve_->xAxis, curve_->yAxis2)->setName(tr("rollouts, steady (right)"));
  curve_->graph(1)->setPen(QPen(rollout, 1.0, Qt::DashLine));
  curve_->addGraph()->setName(tr("validation, transient"));
  curve_->graph(2)->setPen(QPen(palette_colour(3), 2.0));
  curve_->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
  curve_->addGraph(curve_->xAxis, curve_->yAxis2)->setName(tr("validation, steady (right)"));
  curve_->graph(3)->setPen(QPen(palette_colour(3), 1.5, Qt::DashLine));
  curve_->graph(3)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
  if (study_) {
    add_band(voltage_, study_->vmin_pu, study_->vmax_pu);
    add_band(profile_, study_->vmin_pu, study_->vmax_pu);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < study_->network.num_buses(); ++i) {
      ticker->addTick(i, QString::fromStdString(study_->network.buses[static_cast<size_t>(i)].name));
    }
    profile_->xAxis->setTicker(ticker);
    profile_->xAxis->setTickLabelRotation(60);
    // Min and max apart at a glance: blue downward triangles under, red upward ones over the mean.
    struct Style {
      const char* name;
      QColor colour;
      Qt::PenStyle line;
      QCPScatterStyle::ScatterShape marker;
    };
    const Style styles[] = {{"min", palette_colour(0), Qt::DashLine, QCPScatterStyle::ssTriangleInverted},
                            {"mean", QColor(60, 60, 60), Qt::SolidLine, QCPScatterStyle::ssDisc},
                            {"max", palette_colour(3), Qt::DashLine, QCPScatterStyle::ssTriangle}};
    for (const Style& style : styles) {
      QCPGraph* g = profile_->addGraph();
      g->setName(tr(style.name));
      g->setPen(QPen(style.colour, style.line == Qt::SolidLine ? 1.5 : 1.0, style.line));
      g->setScatterStyle(QCPScatterStyle(style.marker, style.colour, style.colour, 6));
    }
    for (size_t k = 0; k < series_.size(); ++k) {
      QCPGraph* g = voltage_->addGraph();
      g->setPen(QPen(palette_colour(static_cast<int>(k)), 1.0,
                     k < 10 ? Qt::SolidLine : Qt::DashLine));  // the palette repeats after ten colours
      g->setName(series_[k].label());
    }
    for (int i = 0; i < study_->num_inverters(); ++i) {
      QCPGraph* g = reactive_->addGraph();
      g->setPen(QPen(palette_colour(i), 1.5));
      g->setName(QString::fromStdString(study_->inverters[static_cast<size_t>(i)].generator));
    }
  }
  scenario_->blockSignals(true);
  scenario_->clear();
  scenario_->blockSignals(false);
  dirty_ = true;
  traces_dirty_ = true;
  refresh();
}

void LivePlots::set_references(const QVector<ReferenceLine>& lines) {
  references_ = lines;
  // Graphs 4.. hold the reference lines (transient cost of each, across the whole iteration range), each
  // named by a label at its right end.
  while (curve_->graphCount() > 4) curve_->removeGraph(curve_->graphCount() - 1);
  for (QCPItemText* label : reference_labels_) curve_->removeItem(label);
  reference_labels_.clear();
  for (int i = 0; i < lines.size(); ++i) {
    QCPGraph* g = curve_->addGraph();
    g->setName(lines[i].name);
    g->setPen(QPen(palette_colour(i + 4), 1.5, Qt::DashDotLine));
    auto* label = new QCPItemText(curve_);
    label->setColor(palette_colour(i + 4).darker(130));
    label->setFont(QFont(font().family(), 8));
    label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    label->position->setTypeY(QCPItemPosition::ptPlotCoords);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    reference_labels_.push_back(label);
  }
  dirty_ = true;
}

void LivePlots::zoom_curve() {
  QVector<double> rollout_t, rollout_s, valid_t, valid_s, refs;
  for (const auto& p : curve_data_) {
    rollout_t << p.training_cost;
    rollout_s << p.training_steady;
    valid_t << p.validation_transient;
    valid_s << p.validation_steady;
  }
  for (const ReferenceLine& r : references_) refs << r.summary.transient;
  const auto transient = span_of(valid_t) ? span_of(valid_t) : span_of(rollout_t);
  const auto steady = span_of(valid_s) ? span_of(valid_s) : span_of(rollout_s);
  if (transient) {
    QCPRange r = cost_range(*transient, refs);
    // A band of one label's height at an edge that some reference lies beyond, for its label, so that it
    // does not cover the labels of the lines in range.
    const double band = 0.12 * r.size();
    const bool above = std::any_of(refs.begin(), refs.end(), [&](double v) { return v > r.upper; });
    const bool below = std::any_of(refs.begin(), refs.end(), [&](double v) { return v < r.lower; });
    curve_->yAxis->setRange(r.lower - (below ? band : 0.0), r.upper + (above ? band : 0.0));
  } else if (!refs.isEmpty()) {
    curve_->yAxis->setRange(padded(*span_of(refs)));
  }
  if (steady) curve_->yAxis2->setRange(padded(*steady));
  // Labels at the right end of their lines; a line outside the range is named at the left end of the edge it
  // lies beyond, away from the labels of the lines in range.
  const QCPRange y = curve_->yAxis->range();
  for (int i = 0; i < reference_labels_.size() && i < references_.size(); ++i) {
    const double v = references_[i].summary.transient;
    QCPItemText* label = reference_labels_[i];
    QString text = QStringLiteral("%1 %2").arg(references_[i].name).arg(v, 0, 'f', 3);
    double at = v;
    double end = 1.0;
    Qt::Alignment alignment = Qt::AlignRight | Qt::AlignBottom;
    if (v > y.upper) {
      text = QStringLiteral("\u25B2 ") + text;
      at = y.upper;
      end = 0.0;
      alignment = Qt::AlignLeft | Qt::AlignTop;
    } else if (v < y.lower) {
      text = QStringLiteral("\u25BC ") + text;
      at = y.lower;
      end = 0.0;
      alignment = Qt::AlignLeft | Qt::AlignBottom;
    }
    label->setText(text);
    label->setPositionAlignment(alignment);
    label->position->setCoords(end, at);
  }
}

void LivePlots::add_progress(const core::TrainingProgress& progress) {
  if (progress.iterations > 0) {
    curve_data_.push_back(progress.point);
    iterations_ = progress.iterations;
  }
  if (!progress.traces.empty()) {
    traces_ = progress.traces;
    traces_dirty_ = true;
  }
  if (progress.final_vm.size() > 0) {
    final_vm_ = progress.final_vm;
    traces_dirty_ = true;
  }
  dirty_ = true;
}

void LivePlots::rebuild_traces() {
  if (static_cast<int>(traces_.size()) != scenario_->count()) {
    const int keep = std::max(0, scenario_->currentIndex());
    scenario_->blockSignals(true);
    scenario_->clear();
    for (const auto& t : traces_) scenario_->addItem(tr("seed %1").arg(t.id));
    scenario_->setCurrentIndex(std::min(keep, scenario_->count() - 1));
    scenario_->blockSignals(false);
  }
  const int sel = scenario_->currentIndex();
  if (sel >= 0 && sel < static_cast<int>(traces_.size())) {
    const core::EpisodeTrace& tr = traces_[static_cast<size_t>(sel)];
    const QVector<double> x = range_vector(static_cast<int>(tr.vm.rows()));
    for (int k = 0; k < voltage_->graphCount() && k < static_cast<int>(series_.size()); ++k) {
      const int column = series_[static_cast<size_t>(k)].column;
      if (column >= tr.vm.cols()) continue;
      QVector<double> y(x.size());
      for (int t = 0; t < x.size(); ++t) y[t] = tr.vm(t, column);
      voltage_->graph(k)->setData(x, y, true);
    }
    for (int i = 0; i < reactive_->graphCount() && i < tr.q.cols(); ++i) {
      QVector<double> y(x.size());
      for (int t = 0; t < x.size(); ++t) y[t] = tr.q(t, i);
      reactive_->graph(i)->setData(x, y, true);
    }
  }
  if (final_vm_.rows() > 0 && profile_->graphCount() == 3) {
    const int n = static_cast<int>(final_vm_.cols());
    const QVector<double> x = range_vector(n);
    QVector<double> lo(n), mean(n), hi(n);
    for (int b = 0; b < n; ++b) {
      lo[b] = final_vm_.col(b).minCoeff();
      mean[b] = final_vm_.col(b).mean();
      hi[b] = final_vm_.col(b).maxCoeff();
    }
    profile_->graph(0)->setData(x, lo, true);
    profile_->graph(1)->setData(x, mean, true);
    profile_->graph(2)->setData(x, hi, true);
  }
}

void LivePlots::refresh() {
  if (!dirty_) return;
  dirty_ = false;
  QVector<double> it, rt, rs, vit, vt, vs;
  for (const auto& p : curve_data_) {
    it << p.iteration;
    rt << p.training_cost;
    rs << p.training_steady;
    if (std::isfinite(p.validation_transient)) {
      vit << p.iteration;
      vt << p.validation_transient;
      vs << p.validation_steady;
    }
  }
  curve_->graph(0)->setData(it, rt, true);
  curve_->graph(1)->setData(it, rs, true);
  curve_->graph(2)->setData(vit, vt, true);
  curve_->graph(3)->setData(vit, vs, true);
  const double x_end = std::max(1, iterations_);
  for (int i = 0; i < references_.size() && 4 + i < curve_->graphCount(); ++i) {
    const double y = references_[i].summary.transient;
    curve_->graph(4 + i)->setData({0.0, x_end}, {y, y}, true);
  }
  // Keep the first and last points off the frame.
  curve_->xAxis->setRange(0.0, x_end + 0.02 * x_end);
  zoom_curve();
  if (traces_dirty_) {
    traces_dirty_ = false;
    rebuild_traces();
    const double vmin = study_ ? study_->vmin_pu : 0.95;
    const double vmax = study_ ? study_->vmax_pu : 1.05;
    rescale_with_band(voltage_, vmin, vmax);
    rescale_with_band(profile_, vmin, vmax);
    profile_->xAxis->setRange(-0.5, study_ ? study_->network.num_buses() - 0.5 : 1.0);
    reactive_->rescaleAxes();
    voltage_->replot();
    profile_->replot();
    reactive_->replot();
  }
  curve_->replot();
  ++refreshes_;
}

QStringList LivePlots::export_images(const QString& base, const QString& format) {
  refresh();
  QStringList written;
  const std::pair<QCustomPlot*, const char*> plots[] = {
      {curve_, "curve"}, {voltage_, "voltages"}, {profile_, "profile"}, {reactive_, "reactive"}};
  for (const auto& [plot, name] : plots) {
    const QString path = base + "-" + name + "." + format;
    save_plot(plot, path, format);
    written << path;
  }
  return written;
}

QStringList LivePlots::export_csv(const QString& base) const {
  QStringList written;
  QString curve =
      "iteration,rollout_transient,rollout_steady,validation_transient,validation_steady,"
      "gradient_norm,seconds\n";
  auto num = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); };
  for (const auto& p : curve_data_) {
    curve += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                 .arg(p.iteration)
                 .arg(num(p.training_cost), num(p.training_steady), num(p.validation_transient),
                      num(p.validation_steady), num(p.gradient_norm), num(p.seconds));
  }
  write_text_file(base + "-curve.csv", curve);
  written << base + "-curve.csv";

  QString traces = "seed,step";
  if (study_) {
    for (const auto& series : series_) traces += ",vm_" + series.label();
    for (const auto& inv : study_->inverters) traces += ",q_" + QString::fromStdString(inv.generator);
  }
  traces += '\n';
  for (const auto& t : traces_) {
    for (Eigen::Index s = 0; s < t.vm.rows(); ++s) {
      QStringList row{QString::number(t.id), QString::number(s)};
      for (Eigen::Index b = 0; b < t.vm.cols(); ++b) row << num(t.vm(s, b));
      for (Eigen::Index i = 0; i < t.q.cols(); ++i) row << num(t.q(s, i));
      traces += row.join(',') + '\n';
    }
  }
  write_text_file(base + "-traces.csv", traces);
  written << base + "-traces.csv";

  QString profile = "bus,vm_min,vm_mean,vm_max\n";
  for (Eigen::Index b = 0; b < final_vm_.cols(); ++b) {
    const QString name = study_ ? QString::fromStdString(study_->network.buses[static_cast<size_t>(b)].name)
                                : QString::number(b);
    profile += QStringList{name, num(final_vm_.col(b).minCoeff()), num(final_vm_.col(b).mean()),
                           num(final_vm_.col(b).maxCoeff())}
                   .join(',') +
               '\n';
  }
  write_text_file(base + "-profile.csv", profile);
  written << base + "-profile.csv";
  return written;
}

}  // namespace vvc::gui
