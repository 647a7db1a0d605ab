#pragma once
// The config editor's state, without widgets: the document being edited and its file, the key
// descriptions the form is built from, the comparisons (against the running server, between two
// profiles) and the apply. The Config page presents it; tests drive it directly.
#include <QNetworkAccessManager>
#include <QObject>
#include <QProcess>
#include <QUrl>
#include <memory>

#include "config_editor/config_applier.hpp"
#include "config_editor/config_comparison.hpp"
#include "config_editor/config_document.hpp"
#include "config_editor/config_file.hpp"
#include "config_editor/config_schema.hpp"

namespace prodmcp::console {

class ConsoleSession;

class ConfigEditor : public QObject {
  Q_OBJECT
 public:
  explicit ConfigEditor(ConsoleSession& session, QObject* parent = nullptr);
  ~ConfigEditor() override;

  ConfigDocument& document() { return document_; }
  ConfigFile& file() { return file_; }
  ConfigSchema const& schema() const { return schema_; }
  ConfigApplier& applier() { return applier_; }
  ConfigComparisonModel& running_comparison() { return running_comparison_; }
  ConfigComparisonModel& profile_comparison() { return profile_comparison_; }
  QString const& running_problem() const { return running_problem_; }
  // The server's GET /config as last fetched; empty while unknown.
  QJsonObject const& running() const { return running_; }

  // The text differs from the file on disk (or was never saved).
  bool modified() const;
  // Opens a file (a missing one starts empty, to be created by save). False with `error` if unreadable.
  bool open(QString const& path, QString* error = nullptr);
  // Saves to the open file (or to `path` first, for "save as"); refuses a document with errors.
  bool save(QString* error = nullptr);
  bool save_as(QString const& path, QString* error = nullptr);
  // Saves, then puts the file into effect on the supervised server (see ConfigApplier).
  bool apply(QString* error = nullptr);
  // Takes the file's current content, dropping unsaved edits.
  void revert_to_disk();

  // Asks the server's /config again and recomputes the comparison with it.
  void refresh_running();
  // The document under two profiles, side by side.
  void compare_profiles(QString const& left, QString const& right);

 signals:
  void schema_changed();
  void modified_changed(bool modified);
  // The file changed on disk while the document has unsaved edits: keep them, or revert_to_disk().
  void conflict_on_disk();
  void running_changed();

 private:
  void load_schema_from_server();
  void update_running_comparison();
  void on_disk_change(QString const& text);
  // Emits modified_changed when modified() changed since the last call.
  void note_modified();

  ConsoleSession& session_;
  ConfigSchema schema_ = ConfigSchema::builtin();
  ConfigDocument document_;
  ConfigFile file_;
  ConfigApplier applier_;
  ConfigComparisonModel running_comparison_;
  ConfigComparisonModel profile_comparison_;
  QNetworkAccessManager network_;
  std::unique_ptr<QProcess> describe_;
  QJsonObject running_;
  QString running_problem_;
  QString compared_left_, compared_right_;
  bool was_modified_ = false;
};

}  // namespace prodmcp::console
