// "New study from this feeder": builds a three-phase study on an open OpenDSS feeder and saves it as a study
// JSON that `vvc train` and `vvc eval` read unchanged (core::write_study, docs/formats/study.md). A click on a
// bus of the dialog's diagram places an inverter there on every phase the bus has; the table then edits its
// phases and its limits (kvar limits, a kVA rating, or both). The form picks the monitored buses (every
// node-phase, the inverter buses, or the buses ticked in a list), the voltage band, the regulator mode, the cost
// (F or the Stable-DDPG form) and the scenario source (the bundled generators, the script's load shapes, a
// scenario file, or the real day: windows of a day profile). Saving reads the study back as `vvc` would before anything is written: bad input becomes one
// message naming the field.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QTableWidget>
#include <filesystem>
#include <memory>

#include "dss_document.hpp"
#include "dss_feeder_view.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::gui {

class StudyDialog : public QDialog {
  Q_OBJECT

 public:
  /// Columns of the inverter table.
  enum Column { kBus = 0, kPhases, kLimits, kQMin, kQMax, kSMax, kColumns };

  /// `feeder` is the open feeder, read from `script`, which the study names.
  StudyDialog(std::shared_ptr<const DssDocument> feeder, std::filesystem::path script,
              QWidget* parent = nullptr);

  /// Places an inverter at a bus of the feeder (every phase it has, +-300 kvar per phase); a bus that has one
  /// already is left as it is. Returns its row in the table, or -1 when the bus has no phase a, b or c.
  int add_inverter(int bus);
  /// Removes the selected rows of the inverter table.
  void remove_selected();
  /// The study the form describes, with paths written relative to the folder of `study_path` when they lie
  /// inside it. Throws InputError for a form that cannot make one (no inverter, an empty phase list).
  core::ThreePhaseStudySpec spec(const std::filesystem::path& study_path) const;
  /// Writes the study at `path` (core::write_study: checked first, written atomically); on bad input shows a
  /// dialog and returns false, writing nothing. On success emits saved(path).
  bool save(const QString& path);
  const QString& last_error() const { return last_error_; }

  DssFeederView* feeder_view() const { return feeder_; }
  QTableWidget* inverters() const { return inverters_; }
  QLineEdit* name() const { return name_; }
  QComboBox* monitored() const { return monitored_; }
  QListWidget* monitored_buses() const { return monitored_buses_; }
  QDoubleSpinBox* vmin() const { return vmin_; }
  QDoubleSpinBox* vmax() const { return vmax_; }
  QComboBox* regulators() const { return regulators_; }
  QComboBox* cost_form() const { return cost_form_; }
  QDoubleSpinBox* cost_c() const { return c_; }
  QComboBox* scenarios() const { return scenarios_; }
  QLineEdit* scenario_file() const {
    return scenario_file_;
  }  ///< a scenario file or, for the real day, a day profile
  QSpinBox* day_stride() const { return day_stride_; }
  QDoubleSpinBox* day_pv_kw() const { return day_pv_kw_; }
  QSpinBox* steps() const { return steps_; }
  QLineEdit* evaluation_seeds() const { return evaluation_seeds_; }
  QLineEdit* training_seeds() const { return training_seeds_; }

 signals:
  void saved(const QString& path);

 private:
  /// Marks the inverter buses on the diagram.
  void update_marks();
  void update_enabled();

  std::shared_ptr<const DssDocument> feeder_doc_;
  std::filesystem::path script_;
  QString last_error_;
  DssFeederView* feeder_;
  QTableWidget* inverters_;
  QLineEdit* name_;
  QComboBox* monitored_;
  QListWidget* monitored_buses_;
  QDoubleSpinBox* vmin_;
  QDoubleSpinBox* vmax_;
  QComboBox* regulators_;
  QComboBox* cost_form_;
  QDoubleSpinBox* c_;
  QDoubleSpinBox* action_weight_;
  QDoubleSpinBox* violation_weight_;
  QDoubleSpinBox* action_unit_;
  QComboBox* scenarios_;
  QLineEdit* scenario_file_;
  QSpinBox* day_stride_;
  QDoubleSpinBox* day_pv_kw_;
  QSpinBox* steps_;
  QDoubleSpinBox* discount_;
  QLineEdit* evaluation_seeds_;
  QLineEdit* training_seeds_;
};

}  // namespace vvc::gui
