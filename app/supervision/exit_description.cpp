#include "supervision/exit_description.hpp"

#include <string.h>

#include <QObject>

namespace prodmcp::console {

QString exit_description(int exit_code, QProcess::ExitStatus status) {
  if (status == QProcess::NormalExit) return QObject::tr("exited with code %1").arg(exit_code);
  if (char const* name = ::sigabbrev_np(exit_code)) return QObject::tr("killed by SIG%1").arg(QString::fromLatin1(name));
  return QObject::tr("killed by signal %1").arg(exit_code);
}

}  // namespace prodmcp::console
