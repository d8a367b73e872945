// One-line diagram of an OpenDSS feeder: buses at their coordinates when the case provides them, else laid
// out as a tree from the elements' bus pairs (depth from the source across, leaves spread down). A bus is
// coloured by its worst phase |V| against the 0.95-1.05 pu band; transformers and regulators are marked on
// their edges; hovering a bus shows each phase's voltage and the loads at the bus.
#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>
#include <vector>

#include "feeder_layout.hpp"

#include "dss_document.hpp"

namespace vvc::gui {

class DssFeederView : public QWidget {
  Q_OBJECT

 public:
  explicit DssFeederView(QWidget* parent = nullptr);

  void set_document(const DssDocument* document);

  int bus_count() const { return static_cast<int>(layout_.size()); }
  /// Position of a bus in widget coordinates (for tests and tooltips).
  QPointF bus_position(int bus) const;
  /// Index of the bus nearest `point` within a few pixels, or -1.
  int bus_at(QPointF point) const;
  /// The hover text of a bus.
  QString bus_tooltip(int bus) const;

  QSize sizeHint() const override { return {700, 420}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  void compute_layout();

  const DssDocument* doc_ = nullptr;
  std::vector<QPointF> layout_;  ///< abstract coordinates, mapped to the widget when painting
  LayoutFrame frame_;            ///< maps layout_ into the widget
};

}  // namespace vvc::gui
