// Data-driven validation of the unbalanced power flow: one test instance per validation*.txt of a case under
// cases/ (script or scripts, reference, format, tolerances). References are independent of vvc: the IEEE
// published answer, OpenDSS's own solutions (with its regulator taps), or (for a feeder without a stored
// solution) plausibility ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid {
namespace {

namespace fs = std::filesystem;

struct CaseSpec {
  std::string name;  // test name
  fs::path folder;
  fs::path script;
  fs::path reference;
  std::map<std::string, std::string> settings;
};

// Names the case in gtest's messages instead of dumping its bytes.
void PrintTo(const CaseSpec& c, std::ostream* os) { *os << c.name; }

std::map<std::string, std::string> read_settings(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

std::string test_name(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// One case per validation*.txt of a case folder (validation_<what>.txt adds "_<what>" to the name), or one
// per script of its `scripts` folder.
std::vector<CaseSpec> discover_cases() {
  std::vector<CaseSpec> cases;
  const fs::path root = fs::path(VVC_SOURCE_DIR) / "cases";
  std::vector<fs::path> files;
  for (const auto& folder : fs::directory_iterator(root)) {
    if (!folder.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(folder.path())) {
      const std::string file = entry.path().filename().string();
      if (file.rfind("validation", 0) == 0 && entry.path().extension() == ".txt")
        files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const fs::path folder = file.parent_path();
    const std::string suffix = file.stem().string().substr(std::string("validation").size());
    const std::string base = folder.filename().string() + suffix;
    const auto settings = read_settings(file);
    if (settings.count("scripts") > 0) {
      const std::string extension = settings.at("reference_format") == "pmd_json" ? ".json" : ".csv";
      std::vector<fs::path> scripts;
      for (const auto& entry : fs::directory_iterator(folder / settings.at("scripts"))) {
        if (entry.path().extension() == ".dss") scripts.push_back(entry.path());
      }
      std::sort(scripts.begin(), scripts.end());
      for (const fs::path& script : scripts) {
        const std::string stem = script.stem().string();
        cases.push_back({test_name(base + "_" + stem), folder, script,
                         folder / settings.at("reference") / (stem + extension), settings});
      }
    } else {
      const fs::path reference =
          settings.count("reference") > 0 ? folder / settings.at("reference") : fs::path();
      cases.push_back({test_name(base), folder, folder / settings.at("script"), reference, settings});
    }
  }
  return cases;
}

struct ReferenceVoltage {
  std::string bus;
  int phase = 0;
  double vm = 0.0;  // pu, or volts for opendss_csv and pmd_json
  double va_deg = 0.0;
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) out.push_back(field);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct ReferenceTap {
  std::string regulator;
  double tap_pu = 0.0;
  int position = 0;
};

struct ReferenceCapacitor {
  std::string capacitor;
  std::vector<int> states;
};

// The voltages of a reference file and, for an OpenDSS dump (dssrun's "solve" output), its regulator taps,
// capacitor states and the number of power flows its control loop solved.
std::vector<ReferenceVoltage> read_reference(const fs::path& path, const std::string& format,
                                             std::vector<ReferenceTap>* taps = nullptr,
                                             std::vector<ReferenceCapacitor>* capacitors = nullptr,
                                             int* control_iterations = nullptr) {
  std::vector<ReferenceVoltage> out;
  if (format == "pmd_json") {
    std::ifstream in(path);
    const nlohmann::json j = nlohmann::json::parse(in);
    for (const auto& [bus, data] : j.at("bus").items()) {
      for (const auto& [phase, vm] : data.at("vm").items()) {
        out.push_back({lower(bus), std::stoi(phase), vm.get<double>(),
                       data.at("va").at(phase).get<double>() * 180.0 / std::numbers::pi});
      }
    }
    return out;
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::string section = "voltages";
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      section = line.substr(line.find_first_not_of("# "));
      std::getline(in, line);  // the section's header
      continue;
    }
    const std::vector<std::string> f = split_csv(line);
    if (section == "regcontrols") {
      // regcontrol,transformer,winding,tap_pu,tap_position,tap_increment,regcontrol_tapnumber
      if (taps != nullptr) taps->push_back({f.at(0), std::stod(f.at(3)), std::stoi(f.at(6))});
    } else if (section == "capacitors") {
      // capacitor,numsteps,states (the states separated by blanks)
      if (capacitors != nullptr) {
        ReferenceCapacitor c{f.at(0), {}};
        std::istringstream states(f.at(2));
        for (int state = 0; states >> state;) c.states.push_back(state);
        EXPECT_EQ(c.states.size(), static_cast<size_t>(std::stoi(f.at(1)))) << path << ": " << line;
        capacitors->push_back(std::move(c));
      }
    } else if (section == "solution") {
      if (control_iterations != nullptr && f.at(0) == "control_iterations")
        *control_iterations = std::stoi(f.at(1));
    } else if (section != "voltages") {
      continue;
    } else if (format == "published_pu") {  // node,phase(A/B/C),vmag_pu,angle_deg,...
      out.push_back({lower(f.at(0)), f.at(1)[0] - 'A' + 1, std::stod(f.at(2)), std::stod(f.at(3))});
    } else {  // opendss_csv and opendss_dump: bus,phase,vm_pu,va_deg,vm_volts
      out.push_back({lower(f.at(0)), std::stoi(f.at(1)), std::stod(f.at(4)), std::stod(f.at(3))});
    }
  }
  return out;
}

double angle_difference_deg(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }

class ThreePhaseValidation : public ::testing::TestWithParam<CaseSpec> {};

TEST_P(ThreePhaseValidation, MatchesReference) {
  const CaseSpec& c = GetParam();
  OpenDssOptions read_options;
  read_options.uniform_frequency =
      c.settings.count("uniform_frequency") > 0 && c.settings.at("uniform_frequency") == "yes";
  const OpenDssCase dss = read_opendss(c.script, read_options);
  const MultiphaseNetwork& net = dss.network;
  const std::string format = c.settings.at("reference_format");

  if (format == "plausible") {
    const bool line_to_line = c.settings.at("quantity") == "line_to_line";
    for (const TapMode mode : {TapMode::kFixed, TapMode::kControl}) {
      const bool control = mode == TapMode::kControl;
      std::istringstream range(c.settings.at(control ? "control_range" : "fixed_range"));
      double lo = 0.0, hi = 0.0;
      range >> lo >> hi;
      ThreePhaseWorkspace workspace(net);
      ThreePhaseOptions options;
      options.taps = mode;
      const ThreePhaseResult& r = solve(net, options, workspace);
      ASSERT_TRUE(r.converged()) << (control ? "control" : "fixed");
      EXPECT_TRUE(r.taps_settled);
      for (const PhaseBus& bus : net.buses) {
        const double base = bus.base_kv_ll * 1000.0 / std::numbers::sqrt3;
        ASSERT_GT(base, 0.0) << bus.name;
        for (size_t i = 0; i < bus.nodes.size(); ++i) {
          if (!line_to_line) {
            const double vm = std::abs(r.v[bus.nodes[i]]) / base;
            EXPECT_TRUE(vm >= lo && vm <= hi) << bus.name << "." << bus.node_numbers[i] << " " << vm;
          }
          for (size_t k = i + 1; line_to_line && k < bus.nodes.size(); ++k) {
            const double vm = std::abs(r.v[bus.nodes[i]] - r.v[bus.nodes[k]]) / (base * std::numbers::sqrt3);
            EXPECT_TRUE(vm >= lo && vm <= hi)
                << bus.name << " " << bus.node_numbers[i] << "-" << bus.node_numbers[k] << " " << vm;
          }
        }
      }
    }
    return;
  }

  const double vm_tol = std::stod(c.settings.at("vm_tolerance"));
  const double va_tol = std::stod(c.settings.at("va_tolerance_deg"));
  // Compares the solution with a reference file: every node's magnitude and angle, and the taps and
  // capacitor states it lists.
  auto compare = [&](const ThreePhaseResult& r, const fs::path& path, const std::string& what) {
    std::vector<ReferenceTap> taps;
    std::vector<ReferenceCapacitor> capacitors;
    int control_iterations = -1;
    const std::vector<ReferenceVoltage> reference =
        read_reference(path, format, &taps, &capacitors, &control_iterations);
    ASSERT_FALSE(reference.empty()) << path;
    double worst_vm = 0.0, worst_va = 0.0;
    for (const ReferenceVoltage& ref : reference) {
      const int bus = net.find_bus(ref.bus);
      ASSERT_GE(bus, 0) << "bus " << ref.bus << " is not in the network";
      const int node = net.buses[static_cast<size_t>(bus)].node_of(ref.phase);
      ASSERT_GE(node, 0) << ref.bus << "." << ref.phase << " is not in the network";
      const Complex v = r.v[node];
      const double base = node_base_volts(net, node);
      double vm_error = 0.0;
      if (format == "published_pu") {
        vm_error = std::abs(std::abs(v) / base - ref.vm);
      } else if (format == "opendss_csv") {
        vm_error = std::abs(std::abs(v) - ref.vm) / ref.vm;
      } else {
        vm_error = std::abs(std::abs(v) - ref.vm) / base;
      }
      const double va_error = angle_difference_deg(std::arg(v) * 180.0 / std::numbers::pi, ref.va_deg);
      worst_vm = std::max(worst_vm, vm_error);
      worst_va = std::max(worst_va, va_error);
      EXPECT_LE(vm_error, vm_tol) << what << " " << ref.bus << "." << ref.phase << ": |V| "
                                  << std::abs(v) / base << " pu";
      EXPECT_LE(va_error, va_tol) << what << " " << ref.bus << "." << ref.phase << ": angle "
                                  << std::arg(v) * 180.0 / std::numbers::pi;
    }
    if (format == "opendss_dump") {
      EXPECT_EQ(taps.size(), r.regulators.size()) << what;
      EXPECT_EQ(capacitors.size(), r.capacitors.size()) << what;
      // Under control the same actions in the same order take as many power flows as in OpenDSS, unless the
      // script solved already (vvc does not replay a script's own Solve).
      if (r.control_iterations > 0 && !dss.solved) {
        EXPECT_EQ(r.control_iterations, control_iterations) << what;
      }
    }
    for (const ReferenceCapacitor& capacitor : capacitors) {
      const auto it =
          std::find_if(r.capacitors.begin(), r.capacitors.end(),
                       [&](const CapacitorState& state) { return lower(state.name) == capacitor.capacitor; });
      ASSERT_NE(it, r.capacitors.end()) << "Capacitor." << capacitor.capacitor << " is not in the network";
      EXPECT_EQ(it->states, capacitor.states) << what << " Capacitor." << capacitor.capacitor;
    }
    for (const ReferenceTap& tap : taps) {
      const auto it = std::find_if(r.regulators.begin(), r.regulators.end(),
                                   [&](const RegulatorState& g) { return lower(g.name) == tap.regulator; });
      ASSERT_NE(it, r.regulators.end()) << "RegControl." << tap.regulator << " is not in the network";
      EXPECT_EQ(it->position, tap.position) << what << " RegControl." << tap.regulator;
      EXPECT_NEAR(it->tap, tap.tap_pu, 1e-12) << what << " RegControl." << tap.regulator;
    }
    auto scientific = [](double x) {
      std::ostringstream out;
      out << std::scientific << std::setprecision(2) << x;
      return out.str();
    };
    RecordProperty(what + "_worst_vm_error", scientific(worst_vm));
    RecordProperty(what + "_worst_va_error_deg", scientific(worst_va));
  };
  // Regulator and capacitor control must land on the reference's taps and capacitor states by either
  // algorithm; where the reference has a second solve (<name>.solve2.csv), the workspace solves again from
  // where the first solve left the taps, the capacitors and the controls' pending actions.
  for (const ThreePhaseAlgorithm algorithm :
       {ThreePhaseAlgorithm::kNewton, ThreePhaseAlgorithm::kFixedPoint}) {
    const std::string what = algorithm == ThreePhaseAlgorithm::kNewton ? "newton" : "fixed_point";
    ThreePhaseOptions options;
    options.algorithm = algorithm;
    ThreePhaseWorkspace workspace(net);
    const ThreePhaseResult& r = solve(net, options, workspace);
    ASSERT_TRUE(r.converged()) << what << ": " << to_string(r.status);
    compare(r, c.reference, what);
    fs::path second = c.reference;
    second.replace_extension(".solve2.csv");
    if (fs::exists(second)) {
      const ThreePhaseResult& r2 = solve(net, options, workspace);
      ASSERT_TRUE(r2.converged()) << what << " second solve: " << to_string(r2.status);
      compare(r2, second, what + "_second_solve");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ThreePhaseValidation, ::testing::ValuesIn(discover_cases()),
                         [](const ::testing::TestParamInfo<CaseSpec>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace vvc::grid
