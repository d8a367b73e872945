#include "live_plots.hpp"

#include <qcustomplot.h>
#include <QBuffer>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QMenu>
#include <QSvgGenerator>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>

#include "dss_document.hpp"
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

/// A plot's property: the names of its integer keys 0, 1, ... (QStringList), which hover_text() gives.
const char* const kKeyNames = "vvc_key_names";

/// The most bus or node-phase names along the profile's axis before they crowd each other.
constexpr size_t kMaxProfileLabels = 24;

/// Replaces the bold title row of a plot made by make_plot().
void set_title(QCustomPlot* plot, const QString& title) {
  if (auto* text = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) text->setText(title);
}

/// Legend entries without data for phases a, b and c, after the plot's lines (which a three-phase plot keeps out
/// of its legend, naming them on hover instead).
std::vector<QCPGraph*> add_phase_legend(QCustomPlot* plot) {
  std::vector<QCPGraph*> entries;
  for (int phase = 1; phase <= 3; ++phase) {
    QCPGraph* g = plot->addGraph();
    g->setName(QObject::tr("phase %1").arg(QString::fromStdString(phase_name(phase))));
    g->setPen(QPen(phase_colour(phase), 2.0));
    entries.push_back(g);
  }
  return entries;
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

std::vector<VoltageSeries> study_series(const core::Study& study) {
  std::vector<VoltageSeries> out;
  if (!study.three_phase()) {
    for (int b = 0; b < study.network.num_buses(); ++b) {
      out.push_back({b, QString::fromStdString(study.network.buses[static_cast<size_t>(b)].name), QString()});
    }
    return out;
  }
  for (int p : study.monitored) {
    const core::VoltagePoint& point = study.points[static_cast<size_t>(p)];
    out.push_back({p, QString::fromStdString(point.bus), QString::fromStdString(phase_name(point.phase))});
  }
  return out;
}

QString point_label(const core::Study& study, int point) {
  const core::VoltagePoint& p = study.points[static_cast<size_t>(point)];
  const QString bus = QString::fromStdString(p.bus);
  return p.phase > 0 ? bus + "." + QString::fromStdString(phase_name(p.phase)) : bus;
}

QString action_label(const core::Study& study, int action) {
  const core::Inverter& inv = study.inverters[static_cast<size_t>(action)];
  if (!study.three_phase()) return QString::fromStdString(inv.generator);
  return QString::fromStdString(study.phase_network.buses[static_cast<size_t>(inv.bus)].name) + "." +
         QString::fromStdString(phase_name(inv.phase));
}

QColor phase_colour(int conductor) {
  // Red, green and blue, as the phases are usually drawn.
  static const QColor colours[] = {QColor(214, 39, 40), QColor(30, 150, 30), QColor(31, 100, 200)};
  return conductor >= 1 && conductor <= 3 ? colours[conductor - 1] : QColor(100, 100, 100);
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
  const QStringList keys = plot->property(kKeyNames).toStringList();
  const auto index = static_cast<qsizetype>(point->key);
  if (index == point->key && index >= 0 && index < keys.size()) {
    where = x->label() + " " + keys[index];
  } else if (const auto names = qSharedPointerDynamicCast<QCPAxisTickerText>(x->ticker())) {
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
      curve_(make_plot(this, tr("Training curve"), tr("iteration"), tr("transient cost"))),
      voltage_(make_plot(this, tr("Transient |V| per bus"), tr("step"), tr("|V| (pu)"))),
      profile_(make_plot(this, tr("Steady-state |V| profile"), tr("bus"), tr("|V| (pu)"))),
      reactive_(make_plot(this, tr("Inverter reactive power"), tr("step"), tr("q (MVar)"))),
      scenario_(new QComboBox(this)),
      buses_(new QToolButton(this)) {
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
  buses_->setText(tr("Buses shown..."));
  buses_->setToolTip(tr("Which buses' node-phases the transient |V| plot shows"));
  buses_->setPopupMode(QToolButton::InstantPopup);
  buses_->setMenu(new QMenu(buses_));
  bar->addWidget(buses_);
  bar->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addLayout(grid, 1);
  // Transient and steady-state costs differ by two orders of magnitude: each has its own axis (labelled by the
  // study's cost form in reset()).
  curve_->yAxis2->setVisible(true);
  curve_->yAxis2->setNumberFormat("g");
  curve_->yAxis2->setNumberPrecision(4);
  place_legend(curve_, Qt::BottomEdge, 2);
  place_legend(voltage_, Qt::RightEdge, 1);
  place_legend(profile_, Qt::BottomEdge, 3);
  place_legend(reactive_, Qt::BottomEdge, 3);
  enable_legend_toggling(voltage_, [this] { apply_series_visibility(); });
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
  profile_->setProperty(kKeyNames, QStringList());
  series_ = study_ ? study_series(*study_) : std::vector<VoltageSeries>{};
  const bool three_phase = study_ && study_->three_phase();
  series_phase_.clear();
  phase_entries_.clear();
  for (const VoltageSeries& v : series_) {
    series_phase_.push_back(three_phase ? study_->points[static_cast<size_t>(v.column)].phase : 0);
  }
  set_title(voltage_,
            three_phase ? tr("Transient |V| per monitored node-phase") : tr("Transient |V| per bus"));
  set_title(profile_,
            three_phase ? tr("Steady-state |V| profile per node-phase") : tr("Steady-state |V| profile"));
  set_title(reactive_, three_phase ? tr("Inverter reactive power per phase") : tr("Inverter reactive power"));
  profile_->xAxis->setLabel(three_phase ? tr("node-phase") : tr("bus"));
  const bool stable_ddpg_cost = study_ && study_->cost_form == core::CostForm::kStableDdpg;
  curve_->yAxis->setLabel(stable_ddpg_cost ? tr("transient cost (discounted sum of c_t)")
                                           : tr("transient cost (discounted sum of F)"));
  curve_->yAxis2->setLabel(stable_ddpg_cost ? tr("steady-state cost c_T") : tr("steady-state cost F(q_T)"));
  reactive_->yAxis->setLabel(three_phase ? tr("q per phase (MVar)") : tr("q (MVar)"));
  buses_->setVisible(three_phase);
  buses_->menu()->clear();
  // Graphs 0 and 2 (transient) on the left axis, 1 and 3 (steady state) on the right one.
  // The exploring rollouts are noisy and may leave the validation zoom: drawn light.
  QColor rollout = palette_colour(0);
  rollout.setAlpha(110);
  curve_->xAxis->setLabel(tr("iteration"));
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
    QStringList names;
    for (const VoltageSeries& v : series_) names << v.label();
    profile_->setProperty(kKeyNames, names);
    // At most kMaxProfileLabels names along the axis (hover names every point).
    const size_t stride = std::max<size_t>(1, (series_.size() + kMaxProfileLabels - 1) / kMaxProfileLabels);
    for (size_t k = 0; k < series_.size(); k += stride)
      ticker->addTick(static_cast<double>(k), series_[k].label());
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
      g->setName(series_[k].label());
      if (three_phase) {
        g->setPen(QPen(phase_colour(series_phase_[k]), 1.0));
        g->removeFromLegend();
      } else {
        g->setPen(QPen(palette_colour(static_cast<int>(k)), 1.0,
                       k < 10 ? Qt::SolidLine : Qt::DashLine));  // the palette repeats after ten colours
      }
    }
    if (three_phase) {
      // The legend names the phases, a click on one hides or shows its phase (apply_series_visibility); the
      // bus of a line is named on hover.
      phase_entries_ = add_phase_legend(voltage_);
      QMenu* menu = buses_->menu();
      for (const bool on : {true, false}) {
        menu->addAction(on ? tr("all") : tr("none"), this, [this, on] {
          for (QAction* a : buses_->menu()->actions()) {
            if (!a->isCheckable()) continue;
            a->blockSignals(true);
            a->setChecked(on);
            a->blockSignals(false);
          }
          apply_series_visibility();
          voltage_->replot();
        });
      }
      menu->addSeparator();
      for (const VoltageSeries& v : series_) {
        if (menu->findChild<QAction*>(v.bus, Qt::FindDirectChildrenOnly) != nullptr) continue;
        QAction* a = menu->addAction(v.bus);
        a->setObjectName(v.bus);
        a->setCheckable(true);
        a->setChecked(true);
        connect(a, &QAction::toggled, this, [this, bus = v.bus](bool on) { set_bus_shown(bus, on); });
      }
    }
    // Three-phase: each inverter phase in its phase's colour, named on hover, the legend naming the phases.
    for (int i = 0; i < study_->num_inverters(); ++i) {
      QCPGraph* g = reactive_->addGraph();
      g->setName(action_label(*study_, i));
      if (three_phase) {
        g->setPen(QPen(phase_colour(study_->inverters[static_cast<size_t>(i)].phase), 1.5));
        g->removeFromLegend();
      } else {
        g->setPen(QPen(palette_colour(i), 1.5));
      }
    }
    if (three_phase) add_phase_legend(reactive_);
  }
  scenario_->blockSignals(true);
  scenario_->clear();
  scenario_->blockSignals(false);
  dirty_ = true;
  traces_dirty_ = true;
  refresh();
}

void LivePlots::set_bus_shown(const QString& bus, bool shown) {
  if (QAction* a = buses_->menu()->findChild<QAction*>(bus, Qt::FindDirectChildrenOnly)) {
    a->blockSignals(true);
    a->setChecked(shown);
    a->blockSignals(false);
  }
  apply_series_visibility();
  voltage_->replot();
}

void LivePlots::set_phase_shown(int conductor, bool shown) {
  if (conductor < 1 || conductor > static_cast<int>(phase_entries_.size())) return;
  QCPGraph* entry = phase_entries_[static_cast<size_t>(conductor - 1)];
  entry->setVisible(shown);
  if (QCPPlottableLegendItem* item = voltage_->legend->itemWithPlottable(entry))
    item->setTextColor(shown ? QColor(Qt::black) : QColor(170, 170, 170));
  apply_series_visibility();
  voltage_->replot();
}

void LivePlots::apply_series_visibility() {
  if (phase_entries_.empty()) return;
  for (size_t k = 0; k < series_.size() && k < static_cast<size_t>(voltage_->graphCount()); ++k) {
    const int phase = series_phase_[k];
    const bool phase_on = phase < 1 || phase > 3 || phase_entries_[static_cast<size_t>(phase - 1)]->visible();
    const QAction* bus = buses_->menu()->findChild<QAction*>(series_[k].bus, Qt::FindDirectChildrenOnly);
    voltage_->graph(static_cast<int>(k))->setVisible(phase_on && (bus == nullptr || bus->isChecked()));
  }
}

Eigen::VectorXd LivePlots::shown_final_vm() const {
  const int sel = scenario_->currentIndex();
  if (sel < 0 || sel >= static_cast<int>(traces_.size())) return {};
  const Eigen::MatrixXd& vm = traces_[static_cast<size_t>(sel)].vm;
  if (vm.rows() == 0) return {};
  return vm.row(vm.rows() - 1).transpose();
}

long LivePlots::shown_scenario_id() const {
  const int sel = scenario_->currentIndex();
  return sel >= 0 && sel < static_cast<int>(traces_.size()) ? traces_[static_cast<size_t>(sel)].id : -1;
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
    // A band of one label's height at an edge for each reference that lies beyond it, for their labels
    // stacked there, so that they cover neither each other nor the labels of the lines in range.
    const double band = 0.12 * r.size();
    const auto above = std::count_if(refs.begin(), refs.end(), [&](double v) { return v > r.upper; });
    const auto below = std::count_if(refs.begin(), refs.end(), [&](double v) { return v < r.lower; });
    curve_->yAxis->setRange(r.lower - static_cast<double>(below) * band,
                            r.upper + static_cast<double>(above) * band);
  } else if (!refs.isEmpty()) {
    curve_->yAxis->setRange(padded(*span_of(refs)));
  }
  if (steady) curve_->yAxis2->setRange(padded(*steady));
  // Labels at the right end of their lines; a line outside the range is named at the left end of the edge it
  // lies beyond, away from the labels of the lines in range.
  const QCPRange y = curve_->yAxis->range();
  // The range set above holds one band per label beyond an edge, each 0.12 of the range without the bands.
  int beyond_top = 0;
  int beyond_bottom = 0;
  int bands = 0;
  for (const ReferenceLine& r : references_)
    bands += r.summary.transient > y.upper || r.summary.transient < y.lower;
  const double label_band = y.size() * 0.12 / (1.0 + 0.12 * bands);
  for (int i = 0; i < reference_labels_.size() && i < references_.size(); ++i) {
    const double v = references_[i].summary.transient;
    QCPItemText* label = reference_labels_[i];
    QString text = QStringLiteral("%1 %2").arg(references_[i].name).arg(v, 0, 'f', 3);
    double at = v;
    double end = 1.0;
    Qt::Alignment alignment = Qt::AlignRight | Qt::AlignBottom;
    if (v > y.upper) {
      text = QStringLiteral("\u25B2 ") + text;
      at = y.upper - label_band * beyond_top++;
      end = 0.0;
      alignment = Qt::AlignLeft | Qt::AlignTop;
    } else if (v < y.lower) {
      text = QStringLiteral("\u25BC ") + text;
      at = y.lower + label_band * beyond_bottom++;
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
    if (curve_data_.size() == 1) name_training_unit(progress.unit);
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

void LivePlots::name_training_unit(core::TrainingUnit unit) {
  curve_->xAxis->setLabel(QString::fromLatin1(core::to_string(unit)));
  if (unit != core::TrainingUnit::kEpisode) return;
  // A DDPG baseline's training signal is the mean cost per step of its exploring episode; it has no steady one.
  curve_->graph(0)->setName(tr("training episodes, mean step cost"));
  curve_->graph(1)->removeFromLegend();
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
    const int n = static_cast<int>(series_.size());
    const QVector<double> x = range_vector(n);
    QVector<double> lo(n), mean(n), hi(n);
    for (int k = 0; k < n; ++k) {
      const int column = series_[static_cast<size_t>(k)].column;
      if (column >= final_vm_.cols()) continue;
      lo[k] = final_vm_.col(column).minCoeff();
      mean[k] = final_vm_.col(column).mean();
      hi[k] = final_vm_.col(column).maxCoeff();
    }
    profile_->graph(0)->setData(x, lo, true);
    profile_->graph(1)->setData(x, mean, true);
    profile_->graph(2)->setData(x, hi, true);
  }
  if (sel >= 0 && sel < static_cast<int>(traces_.size())) emit shown_scenario_changed();
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
    profile_->xAxis->setRange(-0.5, series_.empty() ? 1.0 : static_cast<double>(series_.size()) - 0.5);
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
    for (int p = 0; p < study_->num_points(); ++p) traces += ",vm_" + point_label(*study_, p);
    for (int i = 0; i < study_->num_inverters(); ++i) traces += ",q_" + action_label(*study_, i);
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

  QString profile =
      study_ && study_->three_phase() ? "node,vm_min,vm_mean,vm_max\n" : "bus,vm_min,vm_mean,vm_max\n";
  for (const VoltageSeries& v : series_) {
    if (final_vm_.rows() == 0 || v.column >= final_vm_.cols()) continue;
    const auto col = final_vm_.col(v.column);
    profile +=
        QStringList{v.label(), num(col.minCoeff()), num(col.mean()), num(col.maxCoeff())}.join(',') + '\n';
  }
  write_text_file(base + "-profile.csv", profile);
  written << base + "-profile.csv";
  return written;
}

}  // namespace vvc::gui
