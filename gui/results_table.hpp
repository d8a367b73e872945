// Power-flow results as sortable tables (buses, branches, totals). Ctrl+C or the context menu copies the
// selected cells as tab-separated text with the column headers, ready to paste into a spreadsheet.
#pragma once

#include <QTabWidget>
#include <QTableWidget>

#include "case_document.hpp"

namespace vvc::gui {

/// A read-only text cell. It sorts by its text as QTableWidgetItem does, comparing a copy it keeps instead of
/// reading both items' display data, so that a table of thousands of rows sorts in a few milliseconds.
class TextItem : public QTableWidgetItem {
 public:
  static constexpr int kType = QTableWidgetItem::UserType + 2;
  explicit TextItem(const QString& text);
  bool operator<(const QTableWidgetItem& other) const override;

 private:
  QString key_;
};

/// A read-only text cell (a TextItem).
QTableWidgetItem* text_item(const QString& text);

/// A numeric cell: shows `digits` decimals and sorts by value. NaN is an empty cell that sorts after every
/// number.
class NumberItem : public QTableWidgetItem {
 public:
  static constexpr int kType = QTableWidgetItem::UserType + 1;
  NumberItem(double value, int digits);
  bool operator<(const QTableWidgetItem& other) const override;
  double value() const { return value_; }

 private:
  double value_;
};

class CopyableTable : public QTableWidget {
  Q_OBJECT

 public:
  /// A header item's data under this role, when set, is the column's name in copies and CSV (its text may be
  /// a shorter or wrapped label).
  static constexpr int kHeaderNameRole = Qt::UserRole + 1;

  explicit CopyableTable(QWidget* parent = nullptr);
  /// The selected cells (or every cell when none is selected) as TSV, headers first.
  QString selection_as_tsv() const;
  /// Every cell as CSV, headers first.
  QString to_csv() const;
  void copy_selection() const;
  /// The width that shows every column at its present width (after resizeColumnsToContents: whole), the frame
  /// and the vertical scroll bar.
  int content_width() const;
  /// The name of column `c` in copies and CSV (kHeaderNameRole, else the header text on one line).
  QString column_name(int c) const;

 protected:
  void keyPressEvent(QKeyEvent* event) override;
};

class ResultsTables : public QTabWidget {
  Q_OBJECT

 public:
  explicit ResultsTables(QWidget* parent = nullptr);
  void set_document(const CaseDocument* document);

  CopyableTable* buses() const { return buses_; }
  CopyableTable* branches() const { return branches_; }
  CopyableTable* totals() const { return totals_; }

 private:
  CopyableTable* buses_;
  CopyableTable* branches_;
  CopyableTable* totals_;
};

}  // namespace vvc::gui
