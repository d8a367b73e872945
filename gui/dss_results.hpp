// The unbalanced power flow of an OpenDSS feeder as sortable, copyable tables, with the columns of
// `vvc powerflow CASE.dss`: every bus and phase (bus, phase, vm_pu, va_deg, vm_volts; line-to-neutral), the
// source power, loads and losses, the regulator taps and the capacitor states.
#pragma once

#include <QTabWidget>

#include "dss_document.hpp"
#include "results_table.hpp"

namespace vvc::gui {

class DssResultsTables : public QTabWidget {
  Q_OBJECT

 public:
  explicit DssResultsTables(QWidget* parent = nullptr);
  void set_document(const DssDocument* document);

  CopyableTable* phases() const { return phases_; }
  CopyableTable* summary() const { return summary_; }
  CopyableTable* regulators() const { return regulators_; }
  CopyableTable* capacitors() const { return capacitors_; }

 private:
  CopyableTable* phases_;
  CopyableTable* summary_;
  CopyableTable* regulators_;
  CopyableTable* capacitors_;
};

}  // namespace vvc::gui
