#include "config_editor/config_editor.hpp"

#include "admin/admin_request.hpp"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkReply>

#include "console_session.hpp"

namespace prodmcp::console {

ConfigEditor::ConfigEditor(ConsoleSession& session, QObject* parent)
    : QObject(parent), session_(session), applier_(session) {
  running_comparison_.set_titles(tr("This document"), tr("Running server"));
  connect(&document_, &ConfigDocument::changed, this, [this] {
    update_running_comparison();
    if (!compared_left_.isEmpty()) compare_profiles(compared_left_, compared_right_);
    note_modified();
  });
  connect(&file_, &ConfigFile::changed_on_disk, this, &ConfigEditor::on_disk_change);
  connect(&session_, &ConsoleSession::endpoints_changed, this, [this] { refresh_running(); });
  connect(&applier_, &ConfigApplier::finished, this, [this] {
    // A rollback rewrote the file behind the document: show what is on disk now.
    if (file_.disk_text() != document_.text() && !was_modified_) revert_to_disk();
    refresh_running();
  });
  // Reloads change the running config; the server says so in its log.
  connect(&session_, &ConsoleSession::log_lines, this, [this](QList<QByteArray> const& lines) {
    for (auto const& line : lines)
      if (line.contains(R"("event":"config_reload)")) return refresh_running();
  });
  if (auto* supervisor = session_.supervisor()) {
    auto const& launch = supervisor->options();
    document_.set_profile(launch.profile);
    if (!launch.config_file.isEmpty()) open(launch.config_file);
    load_schema_from_server();
  }
}

ConfigEditor::~ConfigEditor() {
  if (describe_ && describe_->state() != QProcess::NotRunning) {
    describe_->kill();
    describe_->waitForFinished(1000);
  }
}

// The form follows the server binary actually supervised (it may be newer than the console).
void ConfigEditor::load_schema_from_server() {
  describe_ = std::make_unique<QProcess>();
  auto* process = describe_.get();
  connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
    if (status != QProcess::NormalExit || code != 0) return;
    QString error;
    auto schema = ConfigSchema::from_json(process->readAllStandardOutput(), &error);
    if (schema.empty()) return;  // keep the built-in description
    schema_ = std::move(schema);
    emit schema_changed();
  });
  auto binary = session_.supervisor()->options().binary;
  process->start(binary.isEmpty() ? ServerSupervisor::default_binary() : binary, {QStringLiteral("describe-config")});
}

bool ConfigEditor::modified() const {
  return file_.path().isEmpty() ? !document_.text().isEmpty() : document_.text() != file_.disk_text();
}

void ConfigEditor::note_modified() {
  if (modified() != was_modified_) emit modified_changed(was_modified_ = modified());
}

bool ConfigEditor::open(QString const& path, QString* error) {
  QString problem;
  auto const text = file_.open(path, &problem);
  if (!problem.isEmpty()) {
    if (error) *error = problem;
    return false;
  }
  document_.set_name(file_.path());
  document_.set_text(text);
  note_modified();
  return true;
}

bool ConfigEditor::save(QString* error) {
  if (document_.error_count() > 0) {
    if (error) *error = tr("the document has errors (%1): fix them first").arg(document_.error_count());
    return false;
  }
  if (!file_.save(document_.text(), error)) return false;
  note_modified();
  return true;
}

bool ConfigEditor::save_as(QString const& path, QString* error) {
  auto const text = document_.text();
  file_.open(path);
  document_.set_name(file_.path());
  document_.set_text(text);
  return save(error);
}

bool ConfigEditor::apply(QString* error) {
  if (!session_.supervisor()) {
    if (error) *error = tr("attached servers are not controlled by the console");
    return false;
  }
  if (applier_.busy()) {
    if (error) *error = tr("an apply is still being checked");
    return false;
  }
  bool const existed = QFile::exists(file_.path());
  std::optional<QString> previous;
  if (existed) previous = file_.disk_text();
  update_running_comparison();
  bool needs_restart = false;
  for (auto const& row : running_comparison_.shown())
    needs_restart |= row.status == ComparisonRow::Status::kRestart || row.status == ComparisonRow::Status::kPending;
  if (!save(error)) return false;
  applier_.apply({file_.path(), document_.profile(), previous, needs_restart});
  return true;
}

void ConfigEditor::revert_to_disk() {
  document_.set_text(file_.disk_text());
  note_modified();
}

void ConfigEditor::on_disk_change(QString const& text) {
  Q_UNUSED(text);
  if (!was_modified_) {
    revert_to_disk();
    session_.events().add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("config_file_changed"),
                          tr("%1 changed on disk; the editor shows the new version").arg(file_.path()));
    return;
  }
  session_.events().add(EventSeverity::kWarning, QStringLiteral("console"), QStringLiteral("config_file_changed"),
                        tr("%1 changed on disk while it has unsaved edits").arg(file_.path()));
  emit conflict_on_disk();
}

void ConfigEditor::refresh_running() {
  auto url = session_.admin_url();
  if (url.isEmpty()) {
    running_ = {};
    running_problem_ = tr("the server is not running");
    update_running_comparison();
    emit running_changed();
    return;
  }
  url.setPath(QStringLiteral("/config"));
  auto request = admin_request(url);
  request.setTransferTimeout(3000);
  auto* reply = network_.get(request);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    auto const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto const text = reply->readAll();
    auto const body = QJsonDocument::fromJson(text).object();
    if (status == 200 && body.contains("keys")) {
      running_ = body;
      running_problem_.clear();
    } else {
      running_ = {};
      running_problem_ = admin_refusal(status, text);
      if (running_problem_.isEmpty())
        running_problem_ = status == 404 ? tr("this server does not show its config (GET /config: 404)")
                                         : reply->errorString();
    }
    update_running_comparison();
    emit running_changed();
  });
}

void ConfigEditor::update_running_comparison() {
  running_comparison_.set_rows(running_.isEmpty() ? QList<ComparisonRow>()
                                                  : compare_with_running(document_.effective(), running_, schema_));
}

void ConfigEditor::compare_profiles(QString const& left, QString const& right) {
  compared_left_ = left;
  compared_right_ = right;
  profile_comparison_.set_titles(left, right);
  profile_comparison_.set_rows(console::compare_profiles(document_.effective(left), document_.effective(right), schema_));
}

}  // namespace prodmcp::console
