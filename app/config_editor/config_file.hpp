#pragma once
// The config file on disk: read it, save it atomically (temporary file, fsync, rename, the previous
// version kept as FILE.bak), and notice when something else changes it.
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

namespace prodmcp::console {

class ConfigFile : public QObject {
  Q_OBJECT
 public:
  explicit ConfigFile(QObject* parent = nullptr);

  // Starts watching `path`; returns its text (empty for a file that does not exist yet).
  // `error` says why it could not be read.
  QString open(QString const& path, QString* error = nullptr);
  QString const& path() const { return path_; }
  static QString backup_path(QString const& path) { return path + QStringLiteral(".bak"); }
  // The text as last read or saved here.
  QString const& disk_text() const { return disk_text_; }

  // Writes `text` in place of the file atomically; the old file becomes FILE.bak. False (with
  // `error`) when it could not; the file is then unchanged.
  bool save(QString const& text, QString* error = nullptr);

 signals:
  // Something other than save() changed the file; `text` is its new content.
  void changed_on_disk(QString const& text);

 private:
  void check_disk();

  QString path_;
  QString disk_text_;
  QFileSystemWatcher watcher_;
  QTimer settle_;  // editors write in several steps: read once they are done
};

// Writes `data` to `path` through a temporary file in the same folder, fsyncs it, renames it over
// `path` and fsyncs the folder, so a crash leaves either the old or the new file.
bool write_file_atomically(QString const& path, QByteArray const& data, QString* error);

}  // namespace prodmcp::console
