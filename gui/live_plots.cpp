#include "live_plots.hpp"

#include <qcustomplot.h>
#include <QBuffer>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <cmath>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"

namespace vvc::gui {

namespace {

/// A shaded voltage band [vmin, vmax] over the whole x range, drawn under the curves.
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

}  // namespace

void write_file(const QString& path, const QByteArray& bytes) {
  write_file_atomically(path.toStdString(), bytes.toStdString());
}

void write_text_file(const QString& path, const QString& text) { write_file(path, text.toUtf8()); }

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
  // The curve plot's legend sits under its axes, in two columns: inside it would hide the curves.
  curve_->legend->setVisible(true);
  curve_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  curve_->legend->setWrap(2);
  curve_->axisRect()->insetLayout()->take(curve_->legend);
  curve_->plotLayout()->addElement(2, 0, curve_->legend);
  curve_->plotLayout()->setRowStretchFactor(2, 0.001);
  curve_->legend->setMargins(QMargins(4, 2, 4, 2));
  curve_->legend->setFont(QFont(font().family(), 8));
  reactive_->legend->setVisible(true);
  reactive_->legend->setFont(QFont(font().family(), 8));
  profile_->legend->setVisible(true);
  profile_->legend->setFont(QFont(font().family(), 8));
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
  curve_->addGraph()->setName(tr("exploring rollouts, transient"));
  curve_->graph(0)->setPen(QPen(palette_colour(0), 1.0));
  curve_->addGraph()->setName(tr("exploring rollouts, steady state"));
  curve_->graph(1)->setPen(QPen(palette_colour(0), 1.0, Qt::DashLine));
  curve_->addGraph()->setName(tr("validation, transient"));
  curve_->graph(2)->setPen(QPen(palette_colour(3), 2.0));
  curve_->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
  curve_->addGraph()->setName(tr("validation, steady state"));
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
    const char* names[] = {"min", "mean", "max"};
    for (int k = 0; k < 3; ++k) {
      QCPGraph* g = profile_->addGraph();
      g->setName(tr(names[k]));
      g->setPen(
          QPen(palette_colour(k == 1 ? 0 : 3), k == 1 ? 2.0 : 1.0, k == 1 ? Qt::SolidLine : Qt::DashLine));
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    }
    for (int b = 0; b < study_->network.num_buses(); ++b) {
      voltage_->addGraph()->setPen(QPen(palette_colour(b), 1.0));
      voltage_->graph(b)->setName(QString::fromStdString(study_->network.buses[static_cast<size_t>(b)].name));
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
  // Graphs 4.. hold the reference lines (transient cost of each, across the whole iteration range).
  while (curve_->graphCount() > 4) curve_->removeGraph(curve_->graphCount() - 1);
  for (int i = 0; i < lines.size(); ++i) {
    QCPGraph* g = curve_->addGraph();
    g->setName(tr("%1, transient").arg(lines[i].name));
    g->setPen(QPen(palette_colour(i + 4), 1.5, Qt::DashDotLine));
  }
  dirty_ = true;
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
    for (int b = 0; b < voltage_->graphCount() && b < tr.vm.cols(); ++b) {
      QVector<double> y(x.size());
      for (int t = 0; t < x.size(); ++t) y[t] = tr.vm(t, b);
      voltage_->graph(b)->setData(x, y, true);
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
  curve_->rescaleAxes();
  // Keep the first and last points off the frame.
  curve_->xAxis->setRange(0.0, x_end + 0.02 * x_end);
  curve_->yAxis->scaleRange(1.08, curve_->yAxis->range().center());
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
    for (const auto& b : study_->network.buses) traces += ",vm_" + QString::fromStdString(b.name);
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
