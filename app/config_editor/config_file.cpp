#include "config_editor/config_file.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <fcntl.h>
#include <unistd.h>

namespace prodmcp::console {

bool write_file_atomically(QString const& path, QByteArray const& data, QString* error) {
  QSaveFile file(path);
  auto fail = [&](QString const& why) {
    if (error) *error = why;
    file.cancelWriting();
    return false;
  };
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  if (file.write(data) != data.size() || !file.flush()) return fail(file.errorString());
  if (::fsync(file.handle()) != 0) return fail(QStringLiteral("fsync failed: %1").arg(qt_error_string(errno)));
  if (!file.commit()) {
    if (error) *error = file.errorString();
    return false;
  }
  // The rename itself is durable only once the folder is synced.
  auto const folder = QFile::encodeName(QFileInfo(path).absolutePath());
  if (int const fd = ::open(folder.constData(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  return true;
}

ConfigFile::ConfigFile(QObject* parent) : QObject(parent) {
  settle_.setSingleShot(true);
  settle_.setInterval(150);
  connect(&settle_, &QTimer::timeout, this, &ConfigFile::check_disk);
  connect(&watcher_, &QFileSystemWatcher::fileChanged, &settle_, qOverload<>(&QTimer::start));
  // A rename over the file (how editors and save() write) drops the file watch; the folder's
  // change notice lets it be taken up again.
  connect(&watcher_, &QFileSystemWatcher::directoryChanged, &settle_, qOverload<>(&QTimer::start));
}

QString ConfigFile::open(QString const& path, QString* error) {
  if (!watcher_.files().isEmpty()) watcher_.removePaths(watcher_.files());
  if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
  path_ = QFileInfo(path).absoluteFilePath();
  disk_text_.clear();
  QFile file(path_);
  if (file.exists()) {
    if (!file.open(QIODevice::ReadOnly)) {
      if (error) *error = file.errorString();
    } else {
      disk_text_ = QString::fromUtf8(file.readAll());
    }
    watcher_.addPath(path_);
  }
  watcher_.addPath(QFileInfo(path_).absolutePath());
  return disk_text_;
}

bool ConfigFile::save(QString const& text, QString* error) {
  if (path_.isEmpty()) {
    if (error) *error = tr("choose a file name first");
    return false;
  }
  if (QFile::exists(path_)) {
    QFile::remove(backup_path(path_));
    if (!QFile::copy(path_, backup_path(path_))) {
      if (error) *error = tr("cannot keep the previous version as %1").arg(backup_path(path_));
      return false;
    }
  }
  if (!write_file_atomically(path_, text.toUtf8(), error)) return false;
  disk_text_ = text;
  if (!watcher_.files().contains(path_)) watcher_.addPath(path_);
  return true;
}

void ConfigFile::check_disk() {
  if (path_.isEmpty()) return;
  if (!watcher_.files().contains(path_) && QFile::exists(path_)) watcher_.addPath(path_);
  QFile file(path_);
  if (!file.open(QIODevice::ReadOnly)) return;  // removed or being replaced: wait for the next notice
  auto const text = QString::fromUtf8(file.readAll());
  if (text == disk_text_) return;
  disk_text_ = text;
  emit changed_on_disk(text);
}

}  // namespace prodmcp::console
