#include "feeder_view.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace vvc::gui {

namespace {
constexpr double kMargin = 40.0;
constexpr double kCaptionHeight = 20.0;  // reserved below the diagram
constexpr double kBusRadius = 7.0;
}  // namespace

QColor voltage_colour(double vm, double vmin, double vmax) {
  if (!std::isfinite(vm)) return QColor(128, 128, 128);
  if (vm < vmin) return QColor(20, 40, 200);
  if (vm > vmax) return QColor(210, 20, 20);
  const double mid = 0.5 * (vmin + vmax);
  const double s = std::clamp((vm - mid) / (0.5 * (vmax - vmin)), -1.0, 1.0);
  // Inside the band: light blue (low) through green (middle) to orange (high).
  if (s < 0)
    return QColor::fromRgbF(0.2f, static_cast<float>(0.7 + 0.1 * s), static_cast<float>(0.3 - 0.6 * s));
  return QColor::fromRgbF(static_cast<float>(0.2 + 0.75 * s), static_cast<float>(0.7 - 0.2 * s), 0.2f);
}

FeederView::FeederView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(300, 200);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void FeederView::set_document(const CaseDocument* document) {
  doc_ = document;
  caption_.clear();
  if (doc_ != nullptr) {
    vm_ = doc_->flow.vm;
    caption_ = doc_->flow.converged() ? tr("power flow at the case's nominal injections")
                                      : tr("power flow did not converge: last iterate shown");
  }
  compute_layout();
  update();
}

void FeederView::set_voltages(const Eigen::VectorXd& vm, const QString& caption) {
  if (doc_ == nullptr || vm.size() != doc_->network.num_buses()) return;
  vm_ = vm;
  caption_ = caption;
  update();
}

void FeederView::compute_layout() {
  layout_.clear();
  if (doc_ == nullptr) return;
  const grid::Network& net = doc_->network;
  const int n = net.num_buses();
  layout_.assign(static_cast<size_t>(n), QPointF());
  const bool have_xy = std::all_of(net.buses.begin(), net.buses.end(), [](const auto& b) { return b.xy; });
  if (have_xy) {
    // Screen y grows downwards, map y grows upwards.
    for (int i = 0; i < n; ++i)
      layout_[static_cast<size_t>(i)] = {(*net.buses[i].xy)[0], -(*net.buses[i].xy)[1]};
  } else {
    // Tidy tree: leaves take consecutive rows in depth-first order, a parent sits at the mean of its
    // children.
    const grid::Topology& topo = doc_->topology;
    std::vector<std::vector<int>> children(static_cast<size_t>(n));
    for (int bus : topo.order) {
      const int p = topo.parent[static_cast<size_t>(bus)];
      if (p >= 0) children[static_cast<size_t>(p)].push_back(bus);
    }
    std::vector<int> depth(topo.depth.begin(), topo.depth.end());
    double next_row = 0.0;
    if (!topo.order.empty()) place_tidy_tree(topo.order.front(), children, depth, layout_, next_row);
  }
  frame_.fit(layout_);
}

QPointF FeederView::bus_position(int bus) const {
  return frame_.to_screen(layout_[static_cast<size_t>(bus)], size(), kMargin, kCaptionHeight);
}

int FeederView::bus_at(QPointF point) const {
  return frame_.nearest(layout_, point, size(), kMargin, kCaptionHeight, 2.0 * kBusRadius);
}

QString FeederView::bus_tooltip(int bus) const {
  if (doc_ == nullptr || bus < 0 || bus >= doc_->network.num_buses()) return {};
  const grid::Network& net = doc_->network;
  const grid::Bus& b = net.buses[static_cast<size_t>(bus)];
  double pl = 0, ql = 0, pg = 0, qg = 0;
  for (const auto& l : net.loads) {
    if (l.bus == bus) {
      pl += l.p_mw;
      ql += l.q_mvar;
    }
  }
  QStringList gens;
  for (const auto& g : net.generators) {
    if (g.bus == bus) {
      pg += g.p_mw;
      qg += g.q_mvar;
      gens << QString::fromStdString(g.name);
    }
  }
  const bool inverter =
      std::find(doc_->inverter_buses.begin(), doc_->inverter_buses.end(), bus) != doc_->inverter_buses.end();
  QString text = tr("<b>bus %1</b> (%2 kV)<br>").arg(QString::fromStdString(b.name)).arg(b.base_kv);
  const double vm = vm_.size() > bus ? vm_[bus] : std::nan("");
  text += tr("|V| = %1 pu (band %2 to %3)").arg(vm, 0, 'f', 4).arg(b.vmin_pu).arg(b.vmax_pu);
  if (doc_->flow.va.size() > bus)
    text += tr(", angle %1&deg;").arg(doc_->flow.va[bus] * 180.0 / std::numbers::pi, 0, 'f', 3);
  text += tr("<br>phases a, b, c: %1 pu each (balanced positive-sequence model)").arg(vm, 0, 'f', 4);
  text += tr("<br>load %1 MW, %2 MVar").arg(pl, 0, 'f', 4).arg(ql, 0, 'f', 4);
  if (!gens.isEmpty())
    text +=
        tr("<br>generation %1 MW, %2 MVar (%3)").arg(pg, 0, 'f', 4).arg(qg, 0, 'f', 4).arg(gens.join(", "));
  if (inverter) text += tr("<br>controlled inverter");
  if (bus == net.slack.bus) text += tr("<br>slack bus");
  return text;
}

bool FeederView::event(QEvent* event) {
  if (show_bus_tooltip(
          this, event, [this](QPointF p) { return bus_at(p); }, [this](int bus) { return bus_tooltip(bus); }))
    return true;
  return QWidget::event(event);
}

void FeederView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  if (doc_ == nullptr) {
    painter.drawText(rect(), Qt::AlignCenter,
                     tr("Open a case or a study (File > Open, or drop a file here)"));
    return;
  }
  const grid::Network& net = doc_->network;
  for (const auto& br : net.branches) {
    QPen pen(br.in_service ? QColor(60, 60, 60) : QColor(170, 170, 170), 2.0);
    if (br.is_switch) pen.setStyle(br.in_service ? Qt::DashLine : Qt::DotLine);
    painter.setPen(pen);
    const QPointF a = bus_position(br.from);
    const QPointF b = bus_position(br.to);
    // Orthogonal routing reads like a one-line diagram: across, then down.
    QPainterPath path(a);
    path.lineTo(a.x() + 0.5 * (b.x() - a.x()), a.y());
    path.lineTo(a.x() + 0.5 * (b.x() - a.x()), b.y());
    path.lineTo(b);
    painter.drawPath(path);
  }
  QFont small = painter.font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.0));
  painter.setFont(small);
  for (int i = 0; i < net.num_buses(); ++i) {
    const grid::Bus& b = net.buses[static_cast<size_t>(i)];
    const QPointF p = bus_position(i);
    const double vm = vm_.size() > i ? vm_[i] : std::nan("");
    const bool out = !(vm >= b.vmin_pu && vm <= b.vmax_pu);
    painter.setPen(QPen(out ? Qt::black : QColor(40, 40, 40), out ? 2.5 : 1.0));
    painter.setBrush(voltage_colour(vm, b.vmin_pu, b.vmax_pu));
    if (i == net.slack.bus) {
      painter.drawRect(QRectF(p.x() - kBusRadius, p.y() - kBusRadius, 2 * kBusRadius, 2 * kBusRadius));
    } else {
      painter.drawEllipse(p, kBusRadius, kBusRadius);
    }
    if (std::find(doc_->inverter_buses.begin(), doc_->inverter_buses.end(), i) !=
        doc_->inverter_buses.end()) {
      painter.setBrush(QColor(250, 200, 30));
      painter.setPen(QPen(Qt::black, 1.0));
      const QPointF t = p + QPointF(0, kBusRadius + 4);
      const QPolygonF tri{t + QPointF(0, 0), t + QPointF(-6, 10), t + QPointF(6, 10)};
      painter.drawPolygon(tri);
    }
    painter.setPen(Qt::black);
    painter.drawText(p + QPointF(kBusRadius + 2, -kBusRadius), QString::fromStdString(b.name));
  }
  // Legend: colour scale over the band and the markers.
  const double vmin = net.buses.empty() ? 0.95 : net.buses.front().vmin_pu;
  const double vmax = net.buses.empty() ? 1.05 : net.buses.front().vmax_pu;
  draw_voltage_legend(painter, size(), vmin, vmax);
  painter.drawText(QPointF(8, height() - 18.0), caption_);
  painter.drawText(QPointF(8, height() - 4.0),
                   tr("square: slack; triangle: inverter; bold outline: outside the band"));
}

}  // namespace vvc::gui
