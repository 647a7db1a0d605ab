#pragma once
// How a process ended, in words people read: "exited with code 3", "killed by SIGKILL".
#include <QProcess>
#include <QString>

namespace prodmcp::console {

// For a crash exit, Qt's exit code is the number of the signal that ended the process.
QString exit_description(int exit_code, QProcess::ExitStatus status);

}  // namespace prodmcp::console
