#include "supervision/upstream_arguments.hpp"

#include <QFileInfo>

namespace prodmcp::console {

namespace {

constexpr int kMaxNameLength = 32;

// Lower-case letters and digits kept, every other run of characters one '-', none at the ends.
QString name_from(QString text) {
  QString name;
  for (QChar c : text.toLower()) {
    bool const kept = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (kept) name += c;
    else if (!name.isEmpty() && !name.endsWith('-')) name += '-';
  }
  while (name.endsWith('-')) name.chop(1);
  name.truncate(kMaxNameLength);
  while (name.endsWith('-')) name.chop(1);
  return name;
}

// "notes_server.py" -> "notes_server"; "@scope/server-memory" -> "server-memory".
QString stem(QString const& word) {
  auto const base = word.mid(word.lastIndexOf('/') + 1);
  auto const dot = base.lastIndexOf('.');
  return dot > 0 ? base.left(dot) : base;
}

}  // namespace

QString upstream_name_for(QStringList const& command) {
  // The script or package (the first argument that looks like a file or one) names the server
  // better than its interpreter does; else the program itself.
  for (auto it = command.cbegin() + (command.isEmpty() ? 0 : 1); it != command.cend(); ++it) {
    bool const file_like = it->contains('.') || it->contains('/') || it->contains('@');
    if (it->startsWith('-') || !file_like) continue;
    if (auto const name = name_from(stem(*it)); !name.isEmpty()) return name;
  }
  if (!command.isEmpty())
    if (auto const name = name_from(stem(command.front())); !name.isEmpty()) return name;
  return QStringLiteral("app");
}

QString shell_quoted(QString const& word) {
  QString quoted = word;
  quoted.replace('\'', QStringLiteral("'\\''"));
  return '\'' + quoted + '\'';
}

QStringList upstream_arguments(UpstreamChoice const& choice) {
  QStringList arguments;
  if (!choice.command.isEmpty()) {
    QStringList words;
    for (auto const& word : choice.command) words << shell_quoted(word);
    arguments << QStringLiteral("--upstream") << upstream_name_for(choice.command) + '=' + words.join(' ');
  }
  for (auto const& upstream : choice.upstreams) arguments << QStringLiteral("--upstream") << upstream;
  if (!choice.mcp_json.isEmpty())
    arguments << QStringLiteral("--mcp-json") << QFileInfo(choice.mcp_json).absoluteFilePath();
  return arguments;
}

}  // namespace prodmcp::console
