// Helpers shared by the balanced and the OpenDSS feeder views: the tidy tree layout used when a case has no
// bus coordinates, the mapping of abstract layout coordinates into a widget's drawing area, the bus tooltip
// and the voltage colour legend.
#pragma once

#include <QEvent>
#include <QPainter>
#include <QPointF>
#include <QSizeF>
#include <QWidget>
#include <functional>
#include <vector>

namespace vvc::gui {

/// Tidy tree: leaves take consecutive rows in depth-first order (from `next_row`, which advances), a parent
/// sits at the mean of its children's rows, and x is the depth. Places the subtree of `root` into `layout`;
/// returns the root's row.
double place_tidy_tree(int root, const std::vector<std::vector<int>>& children, const std::vector<int>& depth,
                       std::vector<QPointF>& layout, double& next_row);

/// The bounding box of a layout and its mapping into a drawing area with a margin all round and `bottom`
/// pixels reserved below (for a caption).
class LayoutFrame {
 public:
  void fit(const std::vector<QPointF>& layout);
  QPointF to_screen(QPointF point, QSizeF area, double margin, double bottom) const;
  /// The index of the layout point whose screen position lies within `radius` of `position` and closest to
  /// it, or -1.
  int nearest(const std::vector<QPointF>& layout, QPointF position, QSizeF area, double margin, double bottom,
              double radius) const;

 private:
  QPointF lo_, hi_;
};

/// Handles a QEvent::ToolTip for a diagram: shows tooltip(bus) for the bus under the cursor
/// (bus_at(position), -1 for none) or hides the tooltip. Returns false for other events, which the widget
/// passes on.
bool show_bus_tooltip(QWidget* widget, QEvent* event, const std::function<int(QPointF)>& bus_at,
                      const std::function<QString(int)>& tooltip);

/// Draws the colour scale over [vmin - 0.01, vmax + 0.01] pu in the bottom right corner of `area`.
void draw_voltage_legend(QPainter& painter, QSizeF area, double vmin, double vmax);

}  // namespace vvc::gui
