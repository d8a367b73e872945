#include "results_table.hpp"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QKeyEvent>
#include <QScrollBar>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "vvc/common/csv.hpp"

namespace vvc::gui {

TextItem::TextItem(const QString& text) : QTableWidgetItem(text, kType), key_(text) {
  setFlags(flags() & ~Qt::ItemIsEditable);
}

bool TextItem::operator<(const QTableWidgetItem& other) const {
  if (other.type() == kType) return key_ < static_cast<const TextItem&>(other).key_;
  return QTableWidgetItem::operator<(other);
}

QTableWidgetItem* text_item(const QString& text) { return new TextItem(text); }

namespace {

QString csv_field(const QString& text) { return QString::fromStdString(vvc::csv_field(text.toStdString())); }

}  // namespace

NumberItem::NumberItem(double value, int digits) : QTableWidgetItem(kType), value_(value) {
  if (!std::isnan(value)) setText(QString::number(value, 'f', digits));
  setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  setFlags(flags() & ~Qt::ItemIsEditable);
}

bool NumberItem::operator<(const QTableWidgetItem& other) const {
  if (other.type() == kType) {
    const double o = static_cast<const NumberItem&>(other).value_;
    // Empty cells sort after every number, so that an ascending sort puts the values first.
    if (std::isnan(value_) || std::isnan(o)) return !std::isnan(value_) && std::isnan(o);
    return value_ < o;
  }
  return QTableWidgetItem::operator<(other);
}

CopyableTable::CopyableTable(QWidget* parent) : QTableWidget(parent) {
  setSortingEnabled(true);
  setSelectionMode(QAbstractItemView::ExtendedSelection);
  setContextMenuPolicy(Qt::ActionsContextMenu);
  verticalHeader()->setVisible(false);
  horizontalHeader()->setStretchLastSection(true);
  auto* copy = new QAction(tr("Copy"), this);
  copy->setShortcut(QKeySequence::Copy);
  connect(copy, &QAction::triggered, this, &CopyableTable::copy_selection);
  addAction(copy);
}

QString CopyableTable::selection_as_tsv() const {
  std::set<int> rows, cols;
  const auto selected = selectedIndexes();
  for (const auto& index : selected) {
    rows.insert(index.row());
    cols.insert(index.column());
  }
  if (selected.isEmpty()) {
    for (int r = 0; r < rowCount(); ++r) rows.insert(r);
    for (int c = 0; c < columnCount(); ++c) cols.insert(c);
  }
  QStringList lines;
  QStringList header;
  for (int c : cols) header << column_name(c);
  lines << header.join('\t');
  for (int r : rows) {
    QStringList cells;
    for (int c : cols) {
      const QTableWidgetItem* it = item(r, c);
      // A cell's line breaks (two-line cells) become spaces: one line per row.
      cells << ((it != nullptr && (selected.isEmpty() || it->isSelected())) ? it->text().replace('\n', ' ')
                                                                            : QString());
    }
    lines << cells.join('\t');
  }
  return lines.join('\n') + '\n';
}

QString CopyableTable::to_csv() const {
  QStringList lines;
  QStringList header;
  for (int c = 0; c < columnCount(); ++c) header << csv_field(column_name(c));
  lines << header.join(',');
  for (int r = 0; r < rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < columnCount(); ++c)
      cells << csv_field(item(r, c) != nullptr ? item(r, c)->text() : QString());
    lines << cells.join(',');
  }
  return lines.join('\n') + '\n';
}

int CopyableTable::content_width() const {
  return horizontalHeader()->length() + 2 * frameWidth() + verticalScrollBar()->sizeHint().width();
}

QString CopyableTable::column_name(int c) const {
  const QTableWidgetItem* item = horizontalHeaderItem(c);
  const QVariant name = item->data(kHeaderNameRole);
  return name.isValid() ? name.toString() : item->text().replace('\n', ' ');
}

void CopyableTable::copy_selection() const { QApplication::clipboard()->setText(selection_as_tsv()); }

void CopyableTable::keyPressEvent(QKeyEvent* event) {
  if (event->matches(QKeySequence::Copy)) {
    copy_selection();
    event->accept();
    return;
  }
  QTableWidget::keyPressEvent(event);
}

ResultsTables::ResultsTables(QWidget* parent)
    : QTabWidget(parent),
      buses_(new CopyableTable(this)),
      branches_(new CopyableTable(this)),
      totals_(new CopyableTable(this)) {
  addTab(buses_, tr("Bus voltages"));
  addTab(branches_, tr("Branch flows"));
  addTab(totals_, tr("Losses and slack"));
}

void ResultsTables::set_document(const CaseDocument* doc) {
  for (CopyableTable* t : {buses_, branches_, totals_}) {
    t->setSortingEnabled(false);
    t->clear();
    t->setRowCount(0);
  }
  if (doc == nullptr) return;
  const grid::Network& net = doc->network;
  const grid::PowerFlowResult& pf = doc->flow;
  const double base = net.base_mva;

  buses_->setColumnCount(9);
  buses_->setHorizontalHeaderLabels({tr("bus"), tr("base kV"), tr("|V| pu"), tr("angle deg"), tr("load MW"),
                                     tr("load MVar"), tr("gen MW"), tr("gen MVar"), tr("in band")});
  buses_->setRowCount(net.num_buses());
  for (int i = 0; i < net.num_buses(); ++i) {
    const grid::Bus& b = net.buses[static_cast<size_t>(i)];
    double pl = 0, ql = 0, pg = 0, qg = 0;
    for (const auto& l : net.loads) {
      if (l.bus == i) {
        pl += l.p_mw;
        ql += l.q_mvar;
      }
    }
    for (const auto& g : net.generators) {
      if (g.bus == i) {
        pg += g.p_mw;
        qg += g.q_mvar;
      }
    }
    const double vm = pf.vm.size() > i ? pf.vm[i] : std::nan("");
    buses_->setItem(i, 0, text_item(QString::fromStdString(b.name)));
    buses_->setItem(i, 1, new NumberItem(b.base_kv, 3));
    buses_->setItem(i, 2, new NumberItem(vm, 5));
    buses_->setItem(i, 3,
                    new NumberItem(pf.va.size() > i ? pf.va[i] * 180.0 / std::numbers::pi : std::nan(""), 4));
    buses_->setItem(i, 4, new NumberItem(pl, 4));
    buses_->setItem(i, 5, new NumberItem(ql, 4));
    buses_->setItem(i, 6, new NumberItem(pg, 4));
    buses_->setItem(i, 7, new NumberItem(qg, 4));
    buses_->setItem(i, 8, text_item(vm >= b.vmin_pu && vm <= b.vmax_pu ? tr("yes") : tr("NO")));
  }

  branches_->setColumnCount(9);
  branches_->setHorizontalHeaderLabels({tr("branch"), tr("from"), tr("to"), tr("P from MW"),
                                        tr("Q from MVar"), tr("P to MW"), tr("Q to MVar"), tr("loss kW"),
                                        tr("in service")});
  branches_->setRowCount(net.num_branches());
  for (int k = 0; k < net.num_branches(); ++k) {
    const grid::Branch& br = net.branches[static_cast<size_t>(k)];
    const bool have = pf.s_from.size() > k;
    const Complex sf = have ? pf.s_from[k] * base : Complex();
    const Complex st = have ? pf.s_to[k] * base : Complex();
    branches_->setItem(k, 0, text_item(QString::fromStdString(br.name)));
    branches_->setItem(k, 1, text_item(QString::fromStdString(net.buses[static_cast<size_t>(br.from)].name)));
    branches_->setItem(k, 2, text_item(QString::fromStdString(net.buses[static_cast<size_t>(br.to)].name)));
    branches_->setItem(k, 3, new NumberItem(sf.real(), 4));
    branches_->setItem(k, 4, new NumberItem(sf.imag(), 4));
    branches_->setItem(k, 5, new NumberItem(st.real(), 4));
    branches_->setItem(k, 6, new NumberItem(st.imag(), 4));
    branches_->setItem(k, 7, new NumberItem(1000.0 * (sf + st).real(), 3));
    branches_->setItem(k, 8, text_item(br.in_service ? tr("yes") : tr("no")));
  }

  totals_->setColumnCount(2);
  totals_->setHorizontalHeaderLabels({tr("quantity"), tr("value")});
  const std::vector<std::pair<QString, QString>> rows = {
      {tr("power flow"), QString::fromUtf8(grid::to_string(pf.status).data()) +
                             tr(" (%1, %2 iterations)")
                                 .arg(QString::fromUtf8(grid::to_string(pf.algorithm).data()))
                                 .arg(pf.iterations)},
      {tr("active losses MW"), QString::number(pf.losses.real() * base, 'f', 5)},
      {tr("reactive losses MVar"), QString::number(pf.losses.imag() * base, 'f', 5)},
      {tr("slack P MW"), QString::number(pf.slack_power.real() * base, 'f', 5)},
      {tr("slack Q MVar"), QString::number(pf.slack_power.imag() * base, 'f', 5)},
      {tr("min |V| pu"), QString::number(pf.vm.size() > 0 ? pf.vm.minCoeff() : std::nan(""), 'f', 5)},
      {tr("max |V| pu"), QString::number(pf.vm.size() > 0 ? pf.vm.maxCoeff() : std::nan(""), 'f', 5)},
  };
  totals_->setRowCount(static_cast<int>(rows.size()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    totals_->setItem(r, 0, text_item(rows[static_cast<size_t>(r)].first));
    totals_->setItem(r, 1, text_item(rows[static_cast<size_t>(r)].second));
  }
  for (CopyableTable* t : {buses_, branches_, totals_}) {
    t->resizeColumnsToContents();
    t->setSortingEnabled(t != totals_);
  }
}

}  // namespace vvc::gui
