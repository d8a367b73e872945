// One-line diagram of an OpenDSS feeder: buses at their coordinates when the case provides them, else laid
// out as a tree from the elements' bus pairs (depth from the source across, leaves spread down). A bus is
// coloured by one of its phase |V| against the 0.95-1.05 pu band, chosen in a selector at the top right: the
// worst phase (farthest from 1 pu), the lowest, the highest, or phase a, b or c (grey where the bus lacks that
// phase), so that a low phase beside a high one is not hidden; the colours come from the script's power flow or,
// while a three-phase study trains, from the validation scenario the training plots show; transformers and regulators are marked on
// their edges; hovering a bus shows each phase's voltage and the loads at the bus. The mouse wheel zooms
// about the cursor, dragging pans, a double click shows the whole feeder again. Painting stays fast at the
// IEEE 8500-node feeder's size: edges and buses are drawn in batches, only what lies in view, with
// transformer markers and bus names once the zoom leaves room for them.
#pragma once

#include <QColor>
#include <QComboBox>
#include <QPointF>
#include <QString>
#include <QWidget>
#include <vector>

#include "dss_document.hpp"
#include "feeder_layout.hpp"

namespace vvc::gui {

class DssFeederView : public QWidget {
  Q_OBJECT

 public:
  explicit DssFeederView(QWidget* parent = nullptr);

  void set_document(const DssDocument* document);
  /// Recolours the buses by the phase |V| that `view` picks (what the selector does).
  void set_phase_view(PhaseView view);
  PhaseView phase_view() const { return view_; }
  QComboBox* phase_selector() const { return phases_; }
  /// Colours the buses by these node |V| (pu, one per node of the document's network, NaN where unknown) in
  /// place of the script's power flow, `caption` saying where they come from (a validation scenario of the
  /// training); an empty vector returns to the power flow. The phase selector applies to them alike.
  void set_node_voltages(std::vector<double> vm_pu, const QString& caption);
  const std::vector<double>& node_voltages() const { return node_vm_; }
  const QString& caption() const { return caption_; }
  /// Buses drawn with a ring of their own (a study's inverter buses, or those placed in the study dialog).
  void set_marked_buses(std::vector<int> buses);
  /// The |V| (pu) that colours a bus, as the phase view picks it.
  double shown_vm(int bus) const;
  /// A bus's colour as drawn (grey when it has no |V| for the phase view).
  QColor bus_colour(int bus) const { return colour_[static_cast<size_t>(bus)]; }

  int bus_count() const { return static_cast<int>(layout_.size()); }
  /// Position of a bus in widget coordinates, at the present zoom and pan (for tests and tooltips).
  QPointF bus_position(int bus) const;
  /// Index of the bus nearest `point` within a few pixels, or -1.
  int bus_at(QPointF point) const;
  /// The hover text of a bus.
  QString bus_tooltip(int bus) const;

  /// Zoom factor (1: the whole feeder fits the view).
  double zoom() const { return zoom_; }
  /// Zooms by `factor` keeping the point under `anchor` (widget coordinates) in place.
  void zoom_at(QPointF anchor, double factor);
  /// Moves the diagram by `delta` pixels.
  void pan_by(QPointF delta);
  /// The whole feeder again.
  void reset_view();

  QSize sizeHint() const override { return {700, 420}; }

 signals:
  /// A click (a press and release without dragging) on a bus.
  void bus_clicked(int bus);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  bool event(QEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  void compute_layout();
  void compute_colours();
  /// Bus radius in pixels: small when many buses share the view, growing with the zoom.
  double bus_radius() const;

  const DssDocument* doc_ = nullptr;
  std::vector<QPointF> layout_;  ///< abstract coordinates, mapped to the widget when painting
  LayoutFrame frame_;            ///< maps layout_ into the widget at zoom 1
  QComboBox* phases_;
  PhaseView view_ = PhaseView::kWorst;
  std::vector<QColor> colour_;  ///< each bus's colour (the phase |V| of view_)
  std::vector<char> out_of_band_;
  std::vector<double> node_vm_;  ///< set_node_voltages(); empty: the document's power flow
  QString caption_;
  std::vector<char> marked_;  ///< per bus
  double zoom_ = 1.0;
  QPointF pan_;  ///< screen = fitted position * zoom_ + pan_
  bool dragging_ = false;
  bool dragged_ = false;  ///< the mouse moved while pressed: a pan, not a click
  QPointF press_at_;
  QPointF drag_from_;
  mutable std::vector<QPointF> screen_;  ///< paint's scratch: every bus's screen position
};

}  // namespace vvc::gui
