#pragma once
// The config editor: the document as a form and as TOML text (both edit it), the server's checker's
// problems marked at their line and column and on their field, the document against the running
// server and against another profile, save (atomic, with a backup) and apply with a health gate.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class ConfigForm;

class ConfigPage : public QWidget {
  Q_OBJECT
 public:
  explicit ConfigPage(ConsoleSession& session, QWidget* parent = nullptr);

  ConfigForm* form() const { return form_; }
  QPlainTextEdit* text_edit() const { return text_; }
  QListWidget* problems_list() const { return problems_; }
  QTabWidget* tabs() const { return tabs_; }
  QPushButton* save_button() const { return save_; }
  QPushButton* apply_button() const { return apply_; }
  QLabel* status_label() const { return status_; }
  QLabel* apply_label() const { return apply_label_; }
  QWidget* conflict_bar() const { return conflict_bar_; }
  QTableView* running_view() const { return running_view_; }
  QTableView* profile_view() const { return profile_view_; }
  // Save, as the Save button does; false (and the reason in the status line) when refused.
  bool save();
  // Asks whether unsaved edits may be dropped (Save / Discard / Cancel); true to go on.
  bool confirm_discard();

 private:
  QWidget* build_text_tab();
  QWidget* build_running_tab();
  QWidget* build_profiles_tab();
  void show_document();
  void show_problems();
  void show_file_state();
  void go_to_problem(QListWidgetItem* item);
  void open_file();
  void save_as();

  ConsoleSession& session_;
  ConfigEditor& editor_;
  QLabel* file_label_;
  QPushButton* open_;
  QPushButton* save_;
  QPushButton* save_as_;
  QPushButton* revert_;
  QComboBox* profile_;
  QPushButton* apply_;
  QLabel* status_;
  QLabel* apply_label_;
  QWidget* conflict_bar_;
  QTabWidget* tabs_;
  ConfigForm* form_;
  QPlainTextEdit* text_;
  QListWidget* problems_;
  QTableView* running_view_;
  QLabel* running_label_;
  QCheckBox* only_differences_;
  QComboBox* left_profile_;
  QComboBox* right_profile_;
  QTableView* profile_view_;
};

}  // namespace prodmcp::console
