// One-line diagram of a feeder: buses laid out from the bus coordinates when every bus has them, otherwise
// as a tree from the topology (depth from the slack across, leaves spread down). Buses are coloured by |V|
// against their band, inverter buses carry a triangle, and hovering a bus shows its voltage and injections.
#pragma once

#include <Eigen/Dense>
#include <QPointF>
#include <QString>
#include <QWidget>
#include <vector>

#include "feeder_layout.hpp"

#include "case_document.hpp"

namespace vvc::gui {

class FeederView : public QWidget {
  Q_OBJECT

 public:
  explicit FeederView(QWidget* parent = nullptr);

  void set_document(const CaseDocument* document);
  /// Shows other voltages (e.g. the mean final |V| of a trained policy) in place of the case's power flow.
  void set_voltages(const Eigen::VectorXd& vm, const QString& caption);

  /// Position of a bus in widget coordinates (for tests and tooltips).
  QPointF bus_position(int bus) const;
  /// Index of the bus within a few pixels of `point`, or -1.
  int bus_at(QPointF point) const;
  /// The hover text of a bus.
  QString bus_tooltip(int bus) const;

  QSize sizeHint() const override { return {700, 420}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  void compute_layout();

  const CaseDocument* doc_ = nullptr;
  std::vector<QPointF> layout_;  ///< abstract coordinates, mapped to the widget when painting
  Eigen::VectorXd vm_;
  QString caption_;
  LayoutFrame frame_;  ///< maps layout_ into the widget
};

/// Colour of |V| against the band [vmin, vmax]: blue below, green at the middle, red above.
QColor voltage_colour(double vm, double vmin, double vmax);

}  // namespace vvc::gui
