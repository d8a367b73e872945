#include "dss_feeder_view.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <numbers>

#include "feeder_view.hpp"

namespace vvc::gui {

namespace {
constexpr double kMargin = 40.0;
constexpr double kCaptionHeight = 20.0;  // reserved below the diagram
constexpr double kBusRadius = 6.0;
constexpr double kMinZoom = 0.5;
constexpr double kMaxZoom = 5000.0;
// Bus names appear when at most this many buses are in view; transformer markers on edges at least this long.
constexpr int kMaxLabels = 150;
constexpr double kMarkerEdgePixels = 24.0;
}  // namespace

DssFeederView::DssFeederView(QWidget* parent) : QWidget(parent), phases_(new QComboBox(this)) {
  setMouseTracking(true);
  setMinimumSize(300, 200);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
  for (PhaseView v : {PhaseView::kWorst, PhaseView::kLowest, PhaseView::kHighest, PhaseView::kA,
                      PhaseView::kB, PhaseView::kC}) {
    phases_->addItem(tr("colour: %1").arg(tr(to_string(v))), static_cast<int>(v));
  }
  phases_->setToolTip(
      tr("Which phase |V| colours each bus: the worst phase hides a low phase beside a high "
         "one, the lowest and highest show each side; a bus without the chosen phase is grey"));
  phases_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(phases_, &QComboBox::currentIndexChanged, this,
          [this] { set_phase_view(static_cast<PhaseView>(phases_->currentData().toInt())); });
}

void DssFeederView::set_document(const DssDocument* document) {
  doc_ = document;
  node_vm_.clear();
  caption_.clear();
  marked_.assign(document != nullptr ? document->network().buses.size() : 0, 0);
  zoom_ = 1.0;
  pan_ = QPointF();
  compute_layout();
  compute_colours();
}

void DssFeederView::set_phase_view(PhaseView view) {
  view_ = view;
  const int index = phases_->findData(static_cast<int>(view));
  if (phases_->currentIndex() != index) phases_->setCurrentIndex(index);
  compute_colours();
}

void DssFeederView::set_node_voltages(std::vector<double> vm_pu, const QString& caption) {
  node_vm_ = std::move(vm_pu);
  caption_ = node_vm_.empty() ? QString() : caption;
  compute_colours();
}

void DssFeederView::set_marked_buses(std::vector<int> buses) {
  std::fill(marked_.begin(), marked_.end(), 0);
  for (int b : buses) {
    if (b >= 0 && b < static_cast<int>(marked_.size())) marked_[static_cast<size_t>(b)] = 1;
  }
  update();
}

double DssFeederView::shown_vm(int bus) const {
  if (node_vm_.empty()) return doc_->bus_vm_pu(bus, view_);
  return pick_phase_vm(doc_->network().buses[static_cast<size_t>(bus)], view_, [this](int node) {
    return node >= 0 && node < static_cast<int>(node_vm_.size()) ? node_vm_[static_cast<size_t>(node)]
                                                                 : std::numeric_limits<double>::quiet_NaN();
  });
}

void DssFeederView::compute_colours() {
  colour_.clear();
  out_of_band_.clear();
  for (int i = 0; doc_ != nullptr && i < bus_count(); ++i) {
    const double vm = shown_vm(i);
    colour_.push_back(std::isfinite(vm) ? voltage_colour(vm, kDssVmin, kDssVmax) : QColor(200, 200, 200));
    out_of_band_.push_back(std::isfinite(vm) && !(vm >= kDssVmin && vm <= kDssVmax));
  }
  update();
}

void DssFeederView::zoom_at(QPointF anchor, double factor) {
  const double zoom = std::clamp(zoom_ * factor, kMinZoom, kMaxZoom);
  pan_ = anchor - (anchor - pan_) * (zoom / zoom_);
  zoom_ = zoom;
  update();
}

void DssFeederView::pan_by(QPointF delta) {
  pan_ += delta;
  update();
}

void DssFeederView::reset_view() {
  zoom_ = 1.0;
  pan_ = QPointF();
  update();
}

double DssFeederView::bus_radius() const {
  if (bus_count() <= 200) return kBusRadius;
  return std::clamp(2.5 * std::sqrt(zoom_), 2.5, kBusRadius);
}

void DssFeederView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps != 0.0) zoom_at(event->position(), std::pow(1.25, steps));
  event->accept();
}

void DssFeederView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    dragging_ = true;
    dragged_ = false;
    press_at_ = event->position();
    drag_from_ = event->position();
    setCursor(Qt::ClosedHandCursor);
  }
  QWidget::mousePressEvent(event);
}

void DssFeederView::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_) {
    if ((event->position() - press_at_).manhattanLength() > 3.0) dragged_ = true;
    pan_by(event->position() - drag_from_);
    drag_from_ = event->position();
  }
  QWidget::mouseMoveEvent(event);
}

void DssFeederView::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && dragging_) {
    dragging_ = false;
    unsetCursor();
    const int bus = dragged_ ? -1 : bus_at(event->position());
    if (bus >= 0) emit bus_clicked(bus);
  }
  QWidget::mouseReleaseEvent(event);
}

void DssFeederView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) reset_view();
  QWidget::mouseDoubleClickEvent(event);
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
    double lo = 0.0, hi = 0.0;
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!placed[i]) continue;
      lo = any ? std::min(lo, layout_[i].x()) : layout_[i].x();
      hi = any ? std::max(hi, layout_[i].x()) : layout_[i].x();
      any = true;
    }
    const double span = std::max(1.0, hi - lo);
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
  return frame_.to_screen(layout_[static_cast<size_t>(bus)], size(), kMargin, kCaptionHeight) * zoom_ + pan_;
}

int DssFeederView::bus_at(QPointF point) const {
  // The fitted frame's nearest bus to the point taken back through the zoom, within the radius on screen.
  const double radius = std::max(2.0 * bus_radius(), 6.0);
  return frame_.nearest(layout_, (point - pan_) / zoom_, size(), kMargin, kCaptionHeight, radius / zoom_);
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
  if (!node_vm_.empty()) {
    text += tr("<br>%1:").arg(caption_.toHtmlEscaped());
    for (size_t k = 0; k < b.nodes.size(); ++k) {
      const int node = b.nodes[k];
      const double vm =
          node < static_cast<int>(node_vm_.size()) ? node_vm_[static_cast<size_t>(node)] : std::nan("");
      text += tr(" %1 %2").arg(QString::fromStdString(phase_name(b.node_numbers[k]))).arg(vm, 0, 'f', 4);
    }
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

void DssFeederView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // The selector at the top right, above the diagram's margin.
  phases_->adjustSize();
  phases_->move(width() - phases_->width() - 6, 4);
}

void DssFeederView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  if (doc_ == nullptr) return;
  const grid::MultiphaseNetwork& net = doc_->network();
  const bool geographic = !doc_->coordinates_source.empty();
  const int n = bus_count();
  screen_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) screen_[static_cast<size_t>(i)] = bus_position(i);
  const QRectF view = QRectF(rect()).adjusted(-10, -10, 10, 10);

  // Edges in two batches (solid, dashed for switches), only those that can cross the view; then the markers
  // of transformers and regulators whose edge is long enough on screen to show one.
  QVector<QLineF> solid, dashed;
  std::vector<std::pair<QPointF, DssEdgeKind>> markers;
  for (const DssEdge& e : doc_->edges) {
    const QPointF a = screen_[static_cast<size_t>(e.from)];
    const QPointF b = screen_[static_cast<size_t>(e.to)];
    if (!view.intersects(QRectF(a, b).normalized().adjusted(-1, -1, 1, 1))) continue;
    QVector<QLineF>& batch = e.kind == DssEdgeKind::kSwitch ? dashed : solid;
    QPointF mid = 0.5 * (a + b);
    if (geographic) {
      batch.append(QLineF(a, b));
    } else {
      // Orthogonal routing reads like a one-line diagram: across, then down.
      const double x = a.x() + 0.5 * (b.x() - a.x());
      batch.append(QLineF(a, QPointF(x, a.y())));
      batch.append(QLineF(QPointF(x, a.y()), QPointF(x, b.y())));
      batch.append(QLineF(QPointF(x, b.y()), b));
      mid = QPointF(x, 0.5 * (a.y() + b.y()));
    }
    const bool long_enough = QLineF(a, b).length() >= kMarkerEdgePixels;
    if (e.kind == DssEdgeKind::kRegulator || (e.kind == DssEdgeKind::kTransformer && long_enough))
      markers.emplace_back(mid, e.kind);
  }
  const double line_width = n > 1000 && zoom_ < 4.0 ? 1.0 : 2.0;
  painter.setBrush(Qt::NoBrush);
  painter.setPen(QPen(QColor(60, 60, 60), line_width));
  painter.drawLines(solid);
  painter.setPen(QPen(QColor(60, 60, 60), line_width, Qt::DashLine));
  painter.drawLines(dashed);
  for (const auto& [mid, kind] : markers) {
    if (kind == DssEdgeKind::kTransformer) {
      // Two interlocked windings.
      painter.setPen(QPen(QColor(120, 60, 0), 1.5));
      painter.setBrush(QColor(255, 255, 255, 200));
      painter.drawEllipse(mid + QPointF(-3, 0), 5.0, 5.0);
      painter.drawEllipse(mid + QPointF(3, 0), 5.0, 5.0);
    } else {
      painter.setPen(QPen(Qt::black, 1.0));
      painter.setBrush(QColor(150, 60, 200));
      const QPolygonF diamond{mid + QPointF(0, -8), mid + QPointF(8, 0), mid + QPointF(0, 8),
                              mid + QPointF(-8, 0)};
      painter.drawPolygon(diamond);
      painter.setPen(Qt::white);
      painter.drawText(QRectF(mid.x() - 8, mid.y() - 8, 16, 16), Qt::AlignCenter, QStringLiteral("R"));
    }
  }

  // Buses in view: round points batched by colour, then the outlines of those outside the band and the
  // source's square.
  const double r = bus_radius();
  std::map<QRgb, QVector<QPointF>> by_colour;
  std::vector<int> visible;
  for (int i = 0; i < n; ++i) {
    const QPointF p = screen_[static_cast<size_t>(i)];
    if (!view.contains(p)) continue;
    visible.push_back(i);
    by_colour[colour_[static_cast<size_t>(i)].rgb()].append(p);
  }
  for (const auto& [rgb, points] : by_colour) {
    painter.setPen(QPen(QColor(rgb), 2.0 * r, Qt::SolidLine, Qt::RoundCap));
    painter.drawPoints(points);
  }
  painter.setBrush(Qt::NoBrush);
  for (int i : visible) {
    const QPointF p = screen_[static_cast<size_t>(i)];
    const bool source =
        std::find(doc_->source_buses.begin(), doc_->source_buses.end(), i) != doc_->source_buses.end();
    if (source) {
      painter.setPen(QPen(QColor(40, 40, 40), 1.0));
      painter.setBrush(colour_[static_cast<size_t>(i)]);
      painter.drawRect(QRectF(p.x() - kBusRadius, p.y() - kBusRadius, 2 * kBusRadius, 2 * kBusRadius));
      painter.setBrush(Qt::NoBrush);
    } else if (out_of_band_[static_cast<size_t>(i)]) {
      // A dark ring around the colour, which stays visible on the small buses of a large feeder.
      const double ring = r < kBusRadius ? r + 0.75 : r;
      painter.setPen(QPen(Qt::black, r < kBusRadius ? 1.0 : 2.5));
      painter.drawEllipse(p, ring, ring);
    } else if (n <= 200) {
      painter.setPen(QPen(QColor(40, 40, 40), 1.0));
      painter.drawEllipse(p, r, r);
    }
  }
  painter.setBrush(Qt::NoBrush);
  painter.setPen(QPen(QColor(0, 90, 200), 2.0));
  for (int i : visible) {
    if (marked_[static_cast<size_t>(i)])
      painter.drawEllipse(screen_[static_cast<size_t>(i)], r + 4.0, r + 4.0);
  }
  // Names only when they do not crowd each other out.
  if (static_cast<int>(visible.size()) <= kMaxLabels &&
      (n <= 60 || width() * height() > 1200 * 700 || zoom_ > 1.0)) {
    QFont small = painter.font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
    painter.setFont(small);
    painter.setPen(Qt::black);
    for (int i : visible) {
      painter.drawText(screen_[static_cast<size_t>(i)] + QPointF(r + 1, -r),
                       QString::fromStdString(net.buses[static_cast<size_t>(i)].name));
    }
  }
  // Legend: colour scale over the band, the markers, and the power-flow status; how to zoom and pan.
  painter.fillRect(QRectF(0, height() - 32.0, width(), 32.0), palette().base());
  painter.setPen(QColor(110, 110, 110));
  painter.drawText(QPointF(8, 14.0), tr("wheel: zoom, drag: pan, double click: whole feeder"));
  painter.setPen(Qt::black);
  draw_voltage_legend(painter, size(), kDssVmin, kDssVmax);
  const QString status = QString::fromUtf8(grid::to_string(doc_->flow.status).data());
  painter.drawText(QPointF(8, height() - 18.0),
                   !node_vm_.empty() ? tr("%1; colour: %2 |V|").arg(caption_, tr(to_string(view_)))
                   : doc_->flow.converged()
                       ? tr("unbalanced power flow: %1 after %2 iterations; colour: %3 |V|")
                             .arg(status)
                             .arg(doc_->flow.iterations)
                             .arg(tr(to_string(view_)))
                       : tr("unbalanced power flow did not converge (%1): last iterate shown").arg(status));
  painter.drawText(
      QPointF(8, height() - 4.0),
      tr("square: source; R diamond: regulator; circles: transformer; dashed: switch; %1%2")
          .arg(std::find(marked_.begin(), marked_.end(), 1) != marked_.end() ? tr("blue ring: inverter; ")
                                                                             : QString())
          .arg(geographic ? tr("coordinates from %1")
                                .arg(QString::fromStdString(doc_->coordinates_source == "script"
                                                                ? "the script's BusCoords"
                                                                : doc_->coordinates_source))
                          : tr("laid out from the topology")));
}

}  // namespace vvc::gui
