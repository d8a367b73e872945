#include "dss_feeder_view.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>

#include "feeder_view.hpp"

namespace vvc::gui {

namespace {
constexpr double kMargin = 40.0;
constexpr double kCaptionHeight = 20.0;  // reserved below the diagram
constexpr double kBusRadius = 6.0;
}  // namespace

DssFeederView::DssFeederView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(300, 200);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void DssFeederView::set_document(const DssDocument* document) {
  doc_ = document;
  compute_layout();
  update();
}

void DssFeederView::compute_layout() {
  layout_.clear();
  if (doc_ == nullptr) return;
  const grid::MultiphaseNetwork& net = doc_->network();
  const size_t n = net.buses.size();
  layout_.assign(n, QPointF());
  std::vector<std::vector<int>> adjacent(n);
  for (const DssEdge& e : doc_->edges) {
    adjacent[static_cast<size_t>(e.from)].push_back(e.to);
    adjacent[static_cast<size_t>(e.to)].push_back(e.from);
  }
  if (!doc_->coordinates_source.empty()) {
    // Screen y grows downwards, map y upwards. A bus the coordinates file misses (a regulator's secondary, a
    // switch's far end) sits beside its nearest placed neighbour.
    std::vector<bool> placed(n, false);
    std::deque<int> queue;
    for (size_t i = 0; i < n; ++i) {
      if (const auto& xy = net.buses[i].xy) {
        layout_[i] = {(*xy)[0], -(*xy)[1]};
        placed[i] = true;
        queue.push_back(static_cast<int>(i));
      }
    }
    double span = 1.0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < i && placed[i]; ++j) {
        if (placed[j]) span = std::max(span, std::abs(layout_[i].x() - layout_[j].x()));
      }
    }
    while (!queue.empty()) {
      const int bus = queue.front();
      queue.pop_front();
      for (int next : adjacent[static_cast<size_t>(bus)]) {
        if (placed[static_cast<size_t>(next)]) continue;
        layout_[static_cast<size_t>(next)] =
            layout_[static_cast<size_t>(bus)] + QPointF(0.02 * span, 0.02 * span);
        placed[static_cast<size_t>(next)] = true;
        queue.push_back(next);
      }
    }
  } else {
    // Tidy tree from the source: leaves take consecutive rows in depth-first order, a parent sits at the mean
    // of its children. A part not connected to the source becomes a tree of its own below.
    std::vector<int> depth(n, -1);
    std::vector<std::vector<int>> children(n);
    std::vector<int> roots(doc_->source_buses.begin(), doc_->source_buses.end());
    for (size_t i = 0; i < n; ++i) roots.push_back(static_cast<int>(i));
    double next_row = 0.0;
    for (int root : roots) {
      if (depth[static_cast<size_t>(root)] >= 0) continue;
      depth[static_cast<size_t>(root)] = 0;
      std::deque<int> queue{root};
      while (!queue.empty()) {
        const int bus = queue.front();
        queue.pop_front();
        for (int next : adjacent[static_cast<size_t>(bus)]) {
          if (depth[static_cast<size_t>(next)] >= 0) continue;
          depth[static_cast<size_t>(next)] = depth[static_cast<size_t>(bus)] + 1;
          children[static_cast<size_t>(bus)].push_back(next);
          queue.push_back(next);
        }
      }
      place_tidy_tree(root, children, depth, layout_, next_row);
    }
  }
  frame_.fit(layout_);
}

QPointF DssFeederView::bus_position(int bus) const {
  return frame_.to_screen(layout_[static_cast<size_t>(bus)], size(), kMargin, kCaptionHeight);
}

int DssFeederView::bus_at(QPointF point) const {
  return frame_.nearest(layout_, point, size(), kMargin, kCaptionHeight, 2.0 * kBusRadius);
}

QString DssFeederView::bus_tooltip(int bus) const {
  if (doc_ == nullptr || bus < 0 || bus >= bus_count()) return {};
  const grid::MultiphaseNetwork& net = doc_->network();
  const grid::PhaseBus& b = net.buses[static_cast<size_t>(bus)];
  QString text = tr("<b>bus %1</b>").arg(QString::fromStdString(b.name));
  if (b.base_kv_ll > 0.0) text += tr(" (%1 kV line-to-line)").arg(b.base_kv_ll);
  for (size_t k = 0; k < b.nodes.size(); ++k) {
    const int node = b.nodes[k];
    const Complex v = node < doc_->flow.v.size() ? doc_->flow.v[node] : Complex(NAN, NAN);
    text += tr("<br>phase %1: |V| = %2 pu (%3 V), angle %4&deg;")
                .arg(QString::fromStdString(phase_name(b.node_numbers[k])))
                .arg(doc_->vm_pu(node), 0, 'f', 4)
                .arg(std::abs(v), 0, 'f', 1)
                .arg(std::arg(v) * 180.0 / std::numbers::pi, 0, 'f', 2);
  }
  for (const grid::PhaseLoad& load : net.loads) {
    const auto on_bus = std::any_of(load.nodes.begin(), load.nodes.end(), [&](int node) {
      return node != grid::kGroundNode && net.nodes[static_cast<size_t>(node)].bus == bus;
    });
    if (!on_bus) continue;
    text += tr("<br>load %1: %2 kW, %3 kvar (%4, model %5)")
                .arg(QString::fromStdString(load.name))
                .arg(load.p_w * load.phases / 1e3, 0, 'f', 1)
                .arg(load.q_var * load.phases / 1e3, 0, 'f', 1)
                .arg(load.connection == grid::Connection::kDelta ? tr("delta") : tr("wye"))
                .arg(load.model);
  }
  if (std::find(doc_->source_buses.begin(), doc_->source_buses.end(), bus) != doc_->source_buses.end())
    text += tr("<br>source bus");
  return text;
}

bool DssFeederView::event(QEvent* event) {
  if (show_bus_tooltip(
          this, event, [this](QPointF p) { return bus_at(p); }, [this](int bus) { return bus_tooltip(bus); }))
    return true;
  return QWidget::event(event);
}

void DssFeederView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  if (doc_ == nullptr) return;
  const grid::MultiphaseNetwork& net = doc_->network();
  const bool geographic = !doc_->coordinates_source.empty();
  for (const DssEdge& e : doc_->edges) {
    QPen pen(QColor(60, 60, 60), 2.0);
    if (e.kind == DssEdgeKind::kSwitch) pen.setStyle(Qt::DashLine);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    const QPointF a = bus_position(e.from);
    const QPointF b = bus_position(e.to);
    QPainterPath path(a);
    if (!geographic) {
      // Orthogonal routing reads like a one-line diagram: across, then down.
      path.lineTo(a.x() + 0.5 * (b.x() - a.x()), a.y());
      path.lineTo(a.x() + 0.5 * (b.x() - a.x()), b.y());
    }
    path.lineTo(b);
    painter.drawPath(path);
    const QPointF mid = path.pointAtPercent(0.5);
    if (e.kind == DssEdgeKind::kTransformer) {
      // Two interlocked windings.
      painter.setPen(QPen(QColor(120, 60, 0), 1.5));
      painter.setBrush(QColor(255, 255, 255, 200));
      painter.drawEllipse(mid + QPointF(-3, 0), 5.0, 5.0);
      painter.drawEllipse(mid + QPointF(3, 0), 5.0, 5.0);
    } else if (e.kind == DssEdgeKind::kRegulator) {
      painter.setPen(QPen(Qt::black, 1.0));
      painter.setBrush(QColor(150, 60, 200));
      const QPolygonF diamond{mid + QPointF(0, -8), mid + QPointF(8, 0), mid + QPointF(0, 8),
                              mid + QPointF(-8, 0)};
      painter.drawPolygon(diamond);
      painter.setPen(Qt::white);
      painter.drawText(QRectF(mid.x() - 8, mid.y() - 8, 16, 16), Qt::AlignCenter, QStringLiteral("R"));
    }
  }
  QFont small = painter.font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
  painter.setFont(small);
  // Labels only when they do not crowd each other out (the IEEE 123 feeder at a small window).
  const bool labels = bus_count() <= 60 || width() * height() > 1200 * 700;
  for (int i = 0; i < bus_count(); ++i) {
    const QPointF p = bus_position(i);
    const double vm = doc_->worst_vm_pu(i);
    const bool out = !(vm >= kDssVmin && vm <= kDssVmax);
    painter.setPen(QPen(out ? Qt::black : QColor(40, 40, 40), out ? 2.5 : 1.0));
    painter.setBrush(voltage_colour(vm, kDssVmin, kDssVmax));
    if (std::find(doc_->source_buses.begin(), doc_->source_buses.end(), i) != doc_->source_buses.end()) {
      painter.drawRect(QRectF(p.x() - kBusRadius, p.y() - kBusRadius, 2 * kBusRadius, 2 * kBusRadius));
    } else {
      painter.drawEllipse(p, kBusRadius, kBusRadius);
    }
    if (labels) {
      painter.setPen(Qt::black);
      painter.drawText(p + QPointF(kBusRadius + 1, -kBusRadius),
                       QString::fromStdString(net.buses[static_cast<size_t>(i)].name));
    }
  }
  // Legend: colour scale over the band, the markers, and the power-flow status.
  draw_voltage_legend(painter, size(), kDssVmin, kDssVmax);
  const QString status = QString::fromUtf8(grid::to_string(doc_->flow.status).data());
  painter.drawText(QPointF(8, height() - 18.0),
                   doc_->flow.converged()
                       ? tr("unbalanced power flow: %1 after %2 iterations; colour: worst phase |V|")
                             .arg(status)
                             .arg(doc_->flow.iterations)
                       : tr("unbalanced power flow did not converge (%1): last iterate shown").arg(status));
  painter.drawText(QPointF(8, height() - 4.0),
                   tr("square: source; R diamond: regulator; circles: transformer; dashed: switch; %1")
                       .arg(geographic ? tr("coordinates from %1")
                                             .arg(QString::fromStdString(doc_->coordinates_source == "script"
                                                                             ? "the script's BusCoords"
                                                                             : doc_->coordinates_source))
                                       : tr("laid out from the topology")));
}

}  // namespace vvc::gui
