#include "dss_results.hpp"

#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

namespace vvc::gui {

DssResultsTables::DssResultsTables(QWidget* parent)
    : QTabWidget(parent),
      phases_(new CopyableTable(this)),
      summary_(new CopyableTable(this)),
      regulators_(new CopyableTable(this)),
      capacitors_(new CopyableTable(this)) {
  addTab(phases_, tr("Bus phases"));
  addTab(summary_, tr("Feeder power and losses"));
  addTab(regulators_, tr("Regulator taps"));
  addTab(capacitors_, tr("Capacitors"));
}

void DssResultsTables::set_document(const DssDocument* doc) {
  for (CopyableTable* t : {phases_, summary_, regulators_, capacitors_}) {
    t->setSortingEnabled(false);
    t->clear();
    t->setRowCount(0);
  }
  if (doc == nullptr) return;
  const grid::MultiphaseNetwork& net = doc->network();
  const grid::ThreePhaseResult& flow = doc->flow;

  phases_->setColumnCount(5);
  phases_->setHorizontalHeaderLabels({"bus", "phase", "vm_pu", "va_deg", "vm_volts"});
  int rows = 0;
  for (const grid::PhaseBus& bus : net.buses) rows += static_cast<int>(bus.nodes.size());
  phases_->setRowCount(rows);
  int r = 0;
  for (const grid::PhaseBus& bus : net.buses) {
    for (size_t k = 0; k < bus.nodes.size(); ++k, ++r) {
      const int node = bus.nodes[k];
      const Complex v = node < flow.v.size() ? flow.v[node] : Complex(NAN, NAN);
      phases_->setItem(r, 0, text_item(QString::fromStdString(bus.name)));
      phases_->setItem(r, 1, text_item(QString::fromStdString(phase_name(bus.node_numbers[k]))));
      phases_->setItem(r, 2, new NumberItem(doc->vm_pu(node), 6));
      phases_->setItem(r, 3, new NumberItem(std::arg(v) * 180.0 / std::numbers::pi, 4));
      phases_->setItem(r, 4, new NumberItem(std::abs(v), 3));
    }
  }

  summary_->setColumnCount(2);
  summary_->setHorizontalHeaderLabels({tr("quantity"), tr("value")});
  auto kilo = [](double watts) { return QString::number(watts / 1e3, 'f', 3); };
  const std::vector<std::pair<QString, QString>> summary = {
      {tr("status"), QString::fromUtf8(grid::to_string(flow.status).data())},
      {tr("iterations"), QString::number(flow.iterations)},
      {tr("source kW"), kilo(flow.source_power.real())},
      {tr("source kvar"), kilo(flow.source_power.imag())},
      {tr("load kW"), kilo(flow.load_power.real())},
      {tr("load kvar"), kilo(flow.load_power.imag())},
      {tr("losses kW"), kilo(flow.losses.real())},
      {tr("losses kvar"), kilo(flow.losses.imag())},
  };
  summary_->setRowCount(static_cast<int>(summary.size()));
  for (int i = 0; i < static_cast<int>(summary.size()); ++i) {
    summary_->setItem(i, 0, text_item(summary[static_cast<size_t>(i)].first));
    summary_->setItem(i, 1, text_item(summary[static_cast<size_t>(i)].second));
  }

  regulators_->setColumnCount(3);
  regulators_->setHorizontalHeaderLabels({"regulator", "tap_pu", "position"});
  regulators_->setRowCount(static_cast<int>(flow.regulators.size()));
  for (int i = 0; i < static_cast<int>(flow.regulators.size()); ++i) {
    const grid::RegulatorState& g = flow.regulators[static_cast<size_t>(i)];
    regulators_->setItem(i, 0, text_item(QString::fromStdString(g.name)));
    regulators_->setItem(i, 1, new NumberItem(g.tap, 5));
    regulators_->setItem(i, 2, new NumberItem(g.position, 0));
  }
  capacitors_->setColumnCount(3);
  capacitors_->setHorizontalHeaderLabels({"capacitor", "steps", "states"});
  capacitors_->setRowCount(static_cast<int>(flow.capacitors.size()));
  for (int i = 0; i < static_cast<int>(flow.capacitors.size()); ++i) {
    const grid::CapacitorState& c = flow.capacitors[static_cast<size_t>(i)];
    QStringList states;
    for (int state : c.states) states << QString::number(state);
    capacitors_->setItem(i, 0, text_item(QString::fromStdString(c.name)));
    capacitors_->setItem(i, 1, new NumberItem(static_cast<double>(c.states.size()), 0));
    capacitors_->setItem(i, 2, text_item(states.join(' ')));
  }
  for (CopyableTable* t : {phases_, summary_, regulators_, capacitors_}) {
    t->resizeColumnsToContents();
    t->setSortingEnabled(t != summary_);
  }
}

}  // namespace vvc::gui
