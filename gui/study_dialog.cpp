#include "study_dialog.hpp"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "vvc/common/errors.hpp"

namespace vvc::gui {

namespace {

constexpr double kDefaultKvar = 300.0;

QDoubleSpinBox* number_box(QWidget* parent, double lo, double hi, double value, int decimals,
                           const QString& tip) {
  auto* box = new QDoubleSpinBox(parent);
  box->setRange(lo, hi);
  box->setDecimals(decimals);
  box->setValue(value);
  box->setToolTip(tip);
  return box;
}

/// `path` relative to `folder` when it lies inside it, else absolute: a study folder moves with its files.
std::filesystem::path as_written(const std::filesystem::path& path, const std::filesystem::path& folder) {
  const std::filesystem::path absolute = std::filesystem::absolute(path).lexically_normal();
  const std::filesystem::path relative =
      absolute.lexically_relative(std::filesystem::absolute(folder).lexically_normal());
  if (!relative.empty() && *relative.begin() != "..") return relative;
  return absolute;
}

core::SeedRange seeds_of(const QLineEdit* edit, const std::string& what) {
  return core::parse_seed_range(edit->text().trimmed().toStdString(), what);
}

}  // namespace

StudyDialog::StudyDialog(std::shared_ptr<const DssDocument> feeder, std::filesystem::path script,
                         QWidget* parent)
    : QDialog(parent), feeder_doc_(std::move(feeder)), script_(std::move(script)) {
  setWindowTitle(tr("New study from %1").arg(QString::fromStdString(script_.filename().string())));
  feeder_ = new DssFeederView(this);
  feeder_->set_document(feeder_doc_.get());
  feeder_->setToolTip(tr("Click a bus to place an inverter on every phase it has"));
  connect(feeder_, &DssFeederView::bus_clicked, this, [this](int bus) { add_inverter(bus); });

  inverters_ = new QTableWidget(0, kColumns, this);
  inverters_->setHorizontalHeaderLabels({tr("bus"), tr("phases"), tr("limits"), tr("q min\n(kvar/phase)"),
                                         tr("q max\n(kvar/phase)"), tr("rating\n(kVA/phase)")});
  inverters_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  inverters_->setSelectionBehavior(QAbstractItemView::SelectRows);
  auto* remove = new QPushButton(tr("Remove selected"), this);
  connect(remove, &QPushButton::clicked, this, &StudyDialog::remove_selected);
  auto* inverter_box = new QGroupBox(tr("Inverters: click buses on the diagram"), this);
  auto* inverter_layout = new QVBoxLayout(inverter_box);
  inverter_layout->addWidget(inverters_);
  inverter_layout->addWidget(remove, 0, Qt::AlignLeft);

  name_ = new QLineEdit(QString::fromStdString(script_.stem().string()) + tr(" study"), this);
  monitored_ = new QComboBox(this);
  monitored_->addItem(tr("every node-phase"), QStringLiteral("all"));
  monitored_->addItem(tr("the inverter buses"), QStringLiteral("inverter buses"));
  monitored_->addItem(tr("the buses ticked below"), QString());
  monitored_->setToolTip(tr("Where the voltage band applies: every phase of each bus chosen"));
  monitored_buses_ = new QListWidget(this);
  monitored_buses_->setMaximumHeight(110);
  for (const grid::PhaseBus& bus : feeder_doc_->network().buses) {
    auto* item = new QListWidgetItem(QString::fromStdString(bus.name), monitored_buses_);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
  }
  vmin_ =
      number_box(this, 0.5, 1.5, 0.95, 4, tr("Lower end of the band, pu of each bus's line-to-neutral base"));
  vmax_ = number_box(this, 0.5, 1.5, 1.05, 4, tr("Upper end of the band, pu"));
  regulators_ = new QComboBox(this);
  regulators_->addItem(tr("frozen (the taps the reset finds)"),
                       static_cast<int>(core::RegulatorMode::kFrozen));
  regulators_->addItem(tr("control (OpenDSS's regulator control every solve)"),
                       static_cast<int>(core::RegulatorMode::kControl));
  cost_form_ = new QComboBox(this);
  cost_form_->addItem(tr("F: 1/2 q'diag(c)q + voltage term"), static_cast<int>(core::CostForm::kF));
  cost_form_->addItem(tr("Stable-DDPG: action change + band violations"),
                      static_cast<int>(core::CostForm::kStableDdpg));
  c_ = number_box(this, 0.0, 100.0, core::kDefaultPolicyWeight, 4,
                  tr("Weight c of every inverter phase, per MVar"));
  action_weight_ = number_box(this, 0.0, 1e6, 1.0, 3, tr("Stable-DDPG form: weight of |q_t - q_t-1|"));
  violation_weight_ =
      number_box(this, 0.0, 1e9, 1000.0, 1, tr("Stable-DDPG form: weight of the band violations"));
  action_unit_ = number_box(this, 0.001, 1e6, 100.0, 3, tr("Stable-DDPG form: the unit of an action, kvar"));
  scenarios_ = new QComboBox(this);
  scenarios_->addItem(tr("the script's load shapes"), QStringLiteral("loadshape"));
  scenarios_->addItem(tr("a scenario file (by element)"), QStringLiteral("file"));
  scenarios_->addItem(tr("the real day (a day profile, in windows)"), QStringLiteral("day"));
  scenarios_->addItem(tr("bundled generator: IEEE 13 (Stable-DDPG)"), QStringLiteral("stable-ddpg-13"));
  scenarios_->addItem(tr("bundled generator: IEEE 123 (Stable-DDPG)"), QStringLiteral("stable-ddpg-123"));
  scenarios_->setToolTip(
      tr("Load shapes: the script's daily shapes, one step per point. A file: docs/formats/scenarios.md. The "
         "real day: windows of a day profile (docs/formats/day.md), scenario k from sample k x stride. The "
         "bundled generators need the benchmark's inverters (cases/ieee13_3p, cases/ieee123_3p)."));
  scenario_file_ = new QLineEdit(this);
  scenario_file_->setPlaceholderText(tr("scenarios.csv or .json"));
  auto* browse = new QPushButton(tr("Browse..."), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Scenario file or day profile"), {},
                                     tr("Scenario files and day profiles (*.csv *.json);;All files (*)"));
    if (!path.isEmpty()) scenario_file_->setText(path);
  });
  auto* file_row = new QHBoxLayout;
  file_row->addWidget(scenario_file_);
  file_row->addWidget(browse);
  day_stride_ = new QSpinBox(this);
  day_stride_->setRange(1, core::kMaxStudySteps);
  day_stride_->setToolTip(tr("The real day: samples from one step to the next"));
  day_pv_kw_ =
      number_box(this, 0.0, 1e6, 100.0, 1,
                 tr("The real day: kW per inverter phase at PV multiplier 1, for inverters the script "
                    "gives no active power"));
  steps_ = new QSpinBox(this);
  steps_->setRange(1, core::kMaxStudySteps);
  steps_->setValue(100);
  steps_->setToolTip(tr("Control steps per episode"));
  discount_ = number_box(this, 0.001, 1.0, 0.99, 4, tr("Discount factor of the transient cost"));
  evaluation_seeds_ = new QLineEdit(this);
  evaluation_seeds_->setPlaceholderText(tr("default"));
  evaluation_seeds_->setToolTip(
      tr("Scenario ids A:B evaluated by default; empty: 0:500, or every scenario of a "
         "file or load shape"));
  training_seeds_ = new QLineEdit(this);
  training_seeds_->setPlaceholderText(tr("default"));
  training_seeds_->setToolTip(
      tr("Scenario ids A:B training draws from; empty: 100000:101000, or every scenario "
         "of a file or load shape"));

  auto* form = new QFormLayout;
  form->addRow(tr("Name"), name_);
  form->addRow(tr("Monitored"), monitored_);
  form->addRow(QString(), monitored_buses_);
  form->addRow(tr("Band vmin (pu)"), vmin_);
  form->addRow(tr("Band vmax (pu)"), vmax_);
  form->addRow(tr("Regulators"), regulators_);
  form->addRow(tr("Cost"), cost_form_);
  form->addRow(tr("c (per MVar)"), c_);
  form->addRow(tr("Action weight"), action_weight_);
  form->addRow(tr("Violation weight"), violation_weight_);
  form->addRow(tr("Action unit (kvar)"), action_unit_);
  form->addRow(tr("Scenarios"), scenarios_);
  form->addRow(tr("Scenario file"), file_row);
  form->addRow(tr("Day stride"), day_stride_);
  form->addRow(tr("Day PV kW"), day_pv_kw_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Discount"), discount_);
  form->addRow(tr("Evaluation seeds"), evaluation_seeds_);
  form->addRow(tr("Training seeds"), training_seeds_);
  auto* settings = new QGroupBox(tr("Study"), this);
  settings->setLayout(form);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save the study"), "study.json", tr("Study JSON (*.json)"));
    if (!path.isEmpty()) save(path);
  });

  auto* left = new QSplitter(Qt::Vertical, this);
  left->addWidget(feeder_);
  left->addWidget(inverter_box);
  auto* columns = new QHBoxLayout;
  columns->addWidget(left, 3);
  columns->addWidget(settings, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(columns, 1);
  layout->addWidget(buttons);
  resize(1300, 820);

  for (QComboBox* box : {monitored_, cost_form_, scenarios_}) {
    connect(box, &QComboBox::currentIndexChanged, this, &StudyDialog::update_enabled);
  }
  update_enabled();
}

void StudyDialog::update_enabled() {
  monitored_buses_->setEnabled(monitored_->currentData().toString().isEmpty());
  const bool stable = cost_form_->currentData().toInt() == static_cast<int>(core::CostForm::kStableDdpg);
  for (QWidget* w : {static_cast<QWidget*>(action_weight_), static_cast<QWidget*>(violation_weight_),
                     static_cast<QWidget*>(action_unit_)}) {
    w->setEnabled(stable);
  }
  const QString source = scenarios_->currentData().toString();
  scenario_file_->setEnabled(source == "file" || source == "day");
  scenario_file_->setPlaceholderText(source == "day" ? tr("day_profile.csv") : tr("scenarios.csv or .json"));
  day_stride_->setEnabled(source == "day");
  day_pv_kw_->setEnabled(source == "day");
}

int StudyDialog::add_inverter(int bus) {
  const grid::PhaseBus& b = feeder_doc_->network().buses[static_cast<size_t>(bus)];
  const QString name = QString::fromStdString(b.name);
  for (int r = 0; r < inverters_->rowCount(); ++r) {
    if (inverters_->item(r, kBus)->text() == name) return r;
  }
  QString phases;
  for (int n : b.node_numbers) {
    if (n >= 1 && n <= 3) phases += QString::fromStdString(phase_name(n));
  }
  if (phases.isEmpty()) return -1;
  const int row = inverters_->rowCount();
  inverters_->insertRow(row);
  auto* bus_item = new QTableWidgetItem(name);
  bus_item->setFlags(bus_item->flags() & ~Qt::ItemIsEditable);
  bus_item->setData(Qt::UserRole, bus);
  inverters_->setItem(row, kBus, bus_item);
  auto* phase_edit = new QLineEdit(phases, inverters_);
  phase_edit->setToolTip(tr("Phases to control, of %1").arg(phases));
  inverters_->setCellWidget(row, kPhases, phase_edit);
  auto* limits = new QComboBox(inverters_);
  limits->addItem(tr("kvar limits"));
  limits->addItem(tr("kVA rating"));
  limits->addItem(tr("both"));
  inverters_->setCellWidget(row, kLimits, limits);
  // Only the fields of the chosen kind of limit are edited.
  connect(limits, &QComboBox::currentIndexChanged, inverters_, [this, limits](int kind) {
    for (int r = 0; r < inverters_->rowCount(); ++r) {
      if (inverters_->cellWidget(r, kLimits) != limits) continue;
      inverters_->cellWidget(r, kQMin)->setEnabled(kind != 1);
      inverters_->cellWidget(r, kQMax)->setEnabled(kind != 1);
      inverters_->cellWidget(r, kSMax)->setEnabled(kind != 0);
    }
  });
  inverters_->setCellWidget(row, kQMin,
                            number_box(inverters_, -1e5, 1e5, -kDefaultKvar, 1, tr("kvar per phase")));
  inverters_->setCellWidget(row, kQMax,
                            number_box(inverters_, -1e5, 1e5, kDefaultKvar, 1, tr("kvar per phase")));
  inverters_->setCellWidget(row, kSMax,
                            number_box(inverters_, 0.0, 1e5, kDefaultKvar, 1, tr("kVA per phase")));
  inverters_->cellWidget(row, kSMax)->setEnabled(false);
  update_marks();
  return row;
}

void StudyDialog::remove_selected() {
  const auto ranges = inverters_->selectedRanges();
  std::vector<int> rows;
  for (const auto& range : ranges) {
    for (int r = range.topRow(); r <= range.bottomRow(); ++r) rows.push_back(r);
  }
  std::sort(rows.rbegin(), rows.rend());
  for (int r : rows) inverters_->removeRow(r);
  update_marks();
}

void StudyDialog::update_marks() {
  std::vector<int> buses;
  for (int r = 0; r < inverters_->rowCount(); ++r)
    buses.push_back(inverters_->item(r, kBus)->data(Qt::UserRole).toInt());
  feeder_->set_marked_buses(std::move(buses));
}

core::ThreePhaseStudySpec StudyDialog::spec(const std::filesystem::path& study_path) const {
  const std::filesystem::path folder = study_path.parent_path();
  core::ThreePhaseStudySpec s;
  s.name = name_->text().trimmed().toStdString();
  s.network = as_written(script_, folder);
  if (inverters_->rowCount() == 0) throw InputError("no inverter: click a bus of the diagram to place one");
  for (int r = 0; r < inverters_->rowCount(); ++r) {
    core::PhaseInverterSpec inv;
    inv.bus = inverters_->item(r, kBus)->text().toStdString();
    inv.phases = qobject_cast<QLineEdit*>(inverters_->cellWidget(r, kPhases))->text().trimmed().toStdString();
    if (inv.phases.empty()) throw InputError("inverter at bus " + inv.bus + ": no phase given");
    const int limits = qobject_cast<QComboBox*>(inverters_->cellWidget(r, kLimits))->currentIndex();
    inv.has_q_limits = limits != 1;
    inv.q_min_kvar = qobject_cast<QDoubleSpinBox*>(inverters_->cellWidget(r, kQMin))->value();
    inv.q_max_kvar = qobject_cast<QDoubleSpinBox*>(inverters_->cellWidget(r, kQMax))->value();
    inv.s_max_kva =
        limits != 0 ? qobject_cast<QDoubleSpinBox*>(inverters_->cellWidget(r, kSMax))->value() : 0.0;
    if (limits != 0 && !(inv.s_max_kva > 0.0))
      throw InputError("inverter at bus " + inv.bus + ": the kVA rating must be positive");
    s.inverters.push_back(std::move(inv));
  }
  s.monitored = monitored_->currentData().toString().toStdString();
  if (s.monitored.empty()) {
    for (int i = 0; i < monitored_buses_->count(); ++i) {
      if (monitored_buses_->item(i)->checkState() == Qt::Checked)
        s.monitored_buses.push_back(monitored_buses_->item(i)->text().toStdString());
    }
    if (s.monitored_buses.empty()) throw InputError("monitored: tick at least one bus in the list");
  }
  s.regulators = static_cast<core::RegulatorMode>(regulators_->currentData().toInt());
  s.vmin_pu = vmin_->value();
  s.vmax_pu = vmax_->value();
  s.cost_form = static_cast<core::CostForm>(cost_form_->currentData().toInt());
  s.c = c_->value();
  s.action_weight = action_weight_->value();
  s.violation_weight = violation_weight_->value();
  s.action_unit_kvar = action_unit_->value();
  s.scenarios = scenarios_->currentData().toString().toStdString();
  if (s.scenarios == "file" || s.scenarios == "day") {
    const std::string file = scenario_file_->text().trimmed().toStdString();
    if (file.empty()) throw InputError("scenario file: choose a file (Browse...)");
    s.scenario_file = as_written(file, folder);
  }
  s.day_stride = day_stride_->value();
  s.day_pv_kw = day_pv_kw_->value();
  s.steps = steps_->value();
  s.discount = discount_->value();
  if (!evaluation_seeds_->text().trimmed().isEmpty())
    s.evaluation_seeds = seeds_of(evaluation_seeds_, "evaluation seeds");
  if (!training_seeds_->text().trimmed().isEmpty())
    s.training_seeds = seeds_of(training_seeds_, "training seeds");
  return s;
}

bool StudyDialog::save(const QString& path) {
  try {
    core::write_study(spec(path.toStdString()), path.toStdString());
  } catch (const std::exception& e) {
    last_error_ = QString::fromStdString(e.what());
    auto* box = new QMessageBox(QMessageBox::Critical, tr("Cannot save the study"), last_error_,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return false;
  }
  last_error_.clear();
  emit saved(path);
  accept();
  return true;
}

}  // namespace vvc::gui
