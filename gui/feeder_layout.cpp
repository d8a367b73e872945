#include "feeder_layout.hpp"

#include <QHelpEvent>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "feeder_view.hpp"

namespace vvc::gui {

double place_tidy_tree(int root, const std::vector<std::vector<int>>& children, const std::vector<int>& depth,
                       std::vector<QPointF>& layout, double& next_row) {
  const auto& kids = children[static_cast<size_t>(root)];
  double row = 0.0;
  if (kids.empty()) {
    row = next_row;
    next_row += 1.0;
  } else {
    for (int k : kids) row += place_tidy_tree(k, children, depth, layout, next_row);
    row /= static_cast<double>(kids.size());
  }
  layout[static_cast<size_t>(root)] = {static_cast<double>(depth[static_cast<size_t>(root)]), row};
  return row;
}

void LayoutFrame::fit(const std::vector<QPointF>& layout) {
  lo_ = hi_ = layout.empty() ? QPointF() : layout.front();
  for (const QPointF& p : layout) {
    lo_ = {std::min(lo_.x(), p.x()), std::min(lo_.y(), p.y())};
    hi_ = {std::max(hi_.x(), p.x()), std::max(hi_.y(), p.y())};
  }
}

QPointF LayoutFrame::to_screen(QPointF point, QSizeF area, double margin, double bottom) const {
  const double w = std::max(1.0, area.width() - 2 * margin);
  const double h = std::max(1.0, area.height() - 2 * margin - bottom);
  const double dx = hi_.x() - lo_.x();
  const double dy = hi_.y() - lo_.y();
  const double x = dx > 0 ? (point.x() - lo_.x()) / dx : 0.5;
  const double y = dy > 0 ? (point.y() - lo_.y()) / dy : 0.5;
  return {margin + x * w, margin + y * h};
}

int LayoutFrame::nearest(const std::vector<QPointF>& layout, QPointF position, QSizeF area, double margin,
                         double bottom, double radius) const {
  int best = -1;
  double best_d = radius;
  for (size_t i = 0; i < layout.size(); ++i) {
    const QPointF d = to_screen(layout[i], area, margin, bottom) - position;
    const double dist = std::hypot(d.x(), d.y());
    if (dist <= best_d) {
      best_d = dist;
      best = static_cast<int>(i);
    }
  }
  return best;
}

bool show_bus_tooltip(QWidget* widget, QEvent* event, const std::function<int(QPointF)>& bus_at,
                      const std::function<QString(int)>& tooltip) {
  if (event->type() != QEvent::ToolTip) return false;
  auto* help = static_cast<QHelpEvent*>(event);
  const int bus = bus_at(help->pos());
  if (bus >= 0) {
    QToolTip::showText(help->globalPos(), tooltip(bus), widget);
  } else {
    QToolTip::hideText();
    event->ignore();
  }
  return true;
}

void draw_voltage_legend(QPainter& painter, QSizeF area, double vmin, double vmax) {
  const QRectF bar(area.width() - 230.0, area.height() - 28.0, 120.0, 10.0);
  for (int k = 0; k < 60; ++k) {
    const double v = vmin - 0.01 + (vmax - vmin + 0.02) * k / 59.0;
    painter.fillRect(QRectF(bar.x() + bar.width() * k / 60.0, bar.y(), bar.width() / 60.0 + 1, bar.height()),
                     voltage_colour(v, vmin, vmax));
  }
  painter.setPen(Qt::black);
  painter.drawText(QPointF(bar.x() - 30, bar.bottom()), QString::number(vmin - 0.01, 'f', 2));
  painter.drawText(QPointF(bar.right() + 3, bar.bottom()), QString::number(vmax + 0.01, 'f', 2) + " pu");
}

}  // namespace vvc::gui
