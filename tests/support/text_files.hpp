#pragma once
// Whole-file reads and writes for the console's tests (unit and GUI executables alike).
#include <QFile>
#include <QString>

namespace prodmcp::testing {

// The file's text, or empty when it cannot be read.
inline QString read_text_file(QString const& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Replaces the file's text; false when it cannot be written.
inline bool write_text_file(QString const& path, QString const& text) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  auto const bytes = text.toUtf8();
  return file.write(bytes) == bytes.size();
}

}  // namespace prodmcp::testing
