#include "mcp/direct_client.hpp"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTimer>

#include "net/reply_limit.hpp"
#include "supervision/exit_description.hpp"
#include "supervision/upstream_arguments.hpp"

namespace prodmcp::console {

namespace {

constexpr int kStderrTailLines = 20;

QByteArray compact(QJsonObject const& message) { return QJsonDocument(message).toJson(QJsonDocument::Compact); }

// Ends a process that is no longer wanted without blocking: its stdin closed (how a stdio server
// is asked to stop), then SIGTERM, then SIGKILL. Owned by the application so it is still reaped
// if the console quits first.
void reap(std::unique_ptr<QProcess> owned) {
  QProcess* process = owned.release();
  if (process->state() == QProcess::NotRunning) return process->deleteLater();
  process->setParent(QCoreApplication::instance());
  QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
  process->closeWriteChannel();
  QTimer::singleShot(2000, process, [process] { process->terminate(); });
  QTimer::singleShot(5000, process, [process] { process->kill(); });
}

}  // namespace

QString DirectTarget::summary() const {
  if (remote()) return url.toString();
  // Quoted only where a shell would need it, so the usual command reads as typed.
  static QRegularExpression const plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
  QStringList words;
  for (auto const& word : QStringList{program} + arguments)
    words << (plain.match(word).hasMatch() ? word : shell_quoted(word));
  return words.join(' ');
}

DirectMcpClient::DirectMcpClient(QObject* parent) : QObject(parent) {}

DirectMcpClient::~DirectMcpClient() {
  if (!process_) return;
  process_->disconnect(this);
  if (process_->state() == QProcess::NotRunning) return;
  process_->closeWriteChannel();
  if (!process_->waitForFinished(500)) {
    process_->kill();
    process_->waitForFinished(1000);
  }
}

qint64 DirectMcpClient::pid() const {
  return process_ && process_->state() != QProcess::NotRunning ? process_->processId() : 0;
}

void DirectMcpClient::open(DirectTarget target, std::function<void(QString)> done) {
  close();
  target_ = std::move(target);
  server_name_.clear();
  protocol_version_.clear();
  stderr_tail_.clear();
  stdout_lines_.clear();
  stderr_lines_.clear();
  closed_why_.clear();
  if (target_.empty()) {
    QTimer::singleShot(0, this, [done] { done(tr("nothing to connect to: give a command or a URL")); });
    return;
  }
  state_ = State::kOpening;
  if (!target_.remote()) {
    process_ = std::make_unique<QProcess>();
    auto environment = QProcessEnvironment::systemEnvironment();
    for (auto it = target_.environment.begin(); it != target_.environment.end(); ++it)
      environment.insert(it.key(), it.value());
    process_->setProcessEnvironment(environment);
    if (!target_.working_directory.isEmpty()) process_->setWorkingDirectory(target_.working_directory);
    process_->setProgram(target_.program);
    process_->setArguments(target_.arguments);
    connect(process_.get(), &QProcess::readyReadStandardOutput, this, &DirectMcpClient::read_stdout);
    connect(process_.get(), &QProcess::readyReadStandardError, this, &DirectMcpClient::read_stderr);
    connect(process_.get(), &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
      read_stdout();
      read_stderr();
      process_ended(tr("the server %1").arg(exit_description(code, status)));
    });
    connect(process_.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
      if (error == QProcess::FailedToStart)
        process_ended(tr("could not start %1: %2").arg(target_.program, process_->errorString()));
    });
    process_->start();
    if (state_ == State::kClosed) {  // it could not even start
      QTimer::singleShot(0, this, [done, why = closed_why_] { done(why); });
      return;
    }
  }
  initialize(std::move(done));
}

void DirectMcpClient::initialize(std::function<void(QString)> done) {
  QJsonObject const params{
      {"protocolVersion", kProtocolVersion},
      {"capabilities", QJsonObject{}},
      {"clientInfo", QJsonObject{{"name", "prodmcp-console"}, {"version", PRODMCP_CONSOLE_VERSION}}}};
  QJsonObject const message{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", "initialize"}, {"params", params}};
  auto initialized = [this, done = std::move(done)](McpAnswer answer) {
    if (state_ != State::kOpening) return done(answer.ok ? tr("closed before it was ready") : answer.problem);
    auto const version = answer.result.value("protocolVersion").toString();
    if (!answer.ok || version.isEmpty()) {
      auto const problem = tr("initialize: %1").arg(answer.ok ? tr("the answer has no protocolVersion") : answer.problem);
      close();
      return done(problem);
    }
    protocol_version_ = version;
    auto const info = answer.result.value("serverInfo").toObject();
    server_name_ = (info.value("name").toString() + ' ' + info.value("version").toString()).trimmed();
    state_ = State::kOpen;
    notify(QStringLiteral("notifications/initialized"));
    done({});
  };
  if (target_.remote()) send_http(message, kOpenTimeoutMs, std::move(initialized));
  else send_stdio(message.value("id").toInteger(), message, kOpenTimeoutMs, std::move(initialized));
}

void DirectMcpClient::request(QString const& method, QJsonObject params, std::function<void(McpAnswer)> done) {
  if (state_ != State::kOpen) {
    QTimer::singleShot(0, this, [done = std::move(done)] {
      McpAnswer answer;
      answer.problem = tr("not connected to the server");
      done(std::move(answer));
    });
    return;
  }
  qint64 const id = next_id_++;
  QJsonObject const message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  if (target_.remote()) send_http(message, timeout_ms_, std::move(done));
  else send_stdio(id, message, timeout_ms_, std::move(done));
}

void DirectMcpClient::call_tool(QString const& tool, QJsonObject arguments, std::function<void(McpAnswer)> done) {
  request(QStringLiteral("tools/call"), QJsonObject{{"name", tool}, {"arguments", arguments}}, std::move(done));
}

void DirectMcpClient::list_tools(std::function<void(QJsonArray, QString)> done) {
  list_every_page([this](QJsonObject params, std::function<void(McpAnswer)> answered) {
    request(QStringLiteral("tools/list"), std::move(params), std::move(answered));
  }, QStringLiteral("tools/list"), QStringLiteral("tools"), std::move(done));
}

void DirectMcpClient::notify(QString const& method) {
  QJsonObject const message{{"jsonrpc", "2.0"}, {"method", method}};
  if (!target_.remote()) {
    if (process_) process_->write(compact(message) + '\n');
    return;
  }
  send_http(message, timeout_ms_, [](McpAnswer const&) {});
}

void DirectMcpClient::send_stdio(qint64 id, QJsonObject const& message, int timeout_ms,
                                 std::function<void(McpAnswer)> done) {
  Pending pending{std::move(done), {}, new QTimer(this)};
  pending.clock.start();
  pending.timeout->setSingleShot(true);
  connect(pending.timeout, &QTimer::timeout, this, [this, id, timeout_ms] {
    auto found = pending_.find(id);
    if (found == pending_.end()) return;
    auto call = std::move(found->second);
    pending_.erase(found);
    call.timeout->deleteLater();
    // As the protocol asks of a client that gives up: tell the server, so it can stop the work.
    if (process_)
      process_->write(compact(QJsonObject{{"jsonrpc", "2.0"},
                                          {"method", "notifications/cancelled"},
                                          {"params", QJsonObject{{"requestId", id}, {"reason", "timed out"}}}}) +
                      '\n');
    McpAnswer answer;
    answer.latency_ms = double(call.clock.nsecsElapsed()) / 1e6;
    answer.timed_out = true;
    answer.problem = tr("no answer within %1 s").arg(timeout_ms / 1000.0);
    call.done(std::move(answer));
  });
  pending.timeout->start(timeout_ms);
  pending_.emplace(id, std::move(pending));
  process_->write(compact(message) + '\n');
}

void DirectMcpClient::send_http(QJsonObject const& message, int timeout_ms, std::function<void(McpAnswer)> done) {
  QNetworkRequest http(target_.url);
  http.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  http.setRawHeader("Accept", "application/json, text/event-stream");
  for (auto const& [name, value] : target_.headers) http.setRawHeader(name, value);
  if (!session_id_.isEmpty()) http.setRawHeader("Mcp-Session-Id", session_id_);
  // 2025-03-26 had no version header; the later revisions require it after initialize.
  if (!protocol_version_.isEmpty() && protocol_version_ != "2025-03-26")
    http.setRawHeader("MCP-Protocol-Version", protocol_version_.toLatin1());
  http.setTransferTimeout(timeout_ms);
  QElapsedTimer clock;
  clock.start();
  QNetworkReply* reply = network_.post(http, compact(message));
  limit_reply_size(reply, kMaxMessageBytes);
  connect(reply, &QNetworkReply::finished, this,
          [this, reply, clock, timeout_ms, sent_session = session_id_, done = std::move(done)] {
    reply->deleteLater();
    McpAnswer answer;
    answer.latency_ms = double(clock.nsecsElapsed()) / 1e6;
    answer.http_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.correlation_id = QString::fromLatin1(reply->rawHeader("X-Correlation-ID"));
    if (auto const session = reply->rawHeader("Mcp-Session-Id"); !session.isEmpty() && session_id_.isEmpty())
      session_id_ = session;
    auto const response =
        json_rpc_response(reply->readAll(), reply->header(QNetworkRequest::ContentTypeHeader).toByteArray());
    if (!read_json_rpc_response(response, answer)) {
      answer.timed_out = reply->error() == QNetworkReply::OperationCanceledError;
      answer.problem = reply_too_large(reply) ? reply_too_large_error(kMaxMessageBytes)
                       : answer.timed_out     ? tr("no answer within %1 s").arg(timeout_ms / 1000.0)
                       : answer.http_status   ? tr("HTTP %1 without a JSON-RPC answer").arg(answer.http_status)
                                              : reply->errorString();
    }
    // The server forgot the session (restarted, expired): a plain client has to start over.
    if (answer.http_status == 404 && !sent_session.isEmpty() && sent_session == session_id_ && state_ == State::kOpen) {
      state_ = State::kClosed;
      session_id_.clear();
      emit closed(tr("the server no longer knows the session (HTTP 404)"));
    }
    done(std::move(answer));
  });
}

void DirectMcpClient::read_stdout() {
  if (!process_) return;
  for (auto const& line : stdout_lines_.feed(process_->readAllStandardOutput())) {
    if (line.trimmed().isEmpty()) continue;
    QJsonParseError error{};
    auto const document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
      // Not MCP: a print to stdout breaks a stdio server's protocol. Kept where people look.
      stderr_tail_ << tr("[stdout, not JSON-RPC] %1").arg(QString::fromUtf8(line.left(300)));
      while (stderr_tail_.size() > kStderrTailLines) stderr_tail_.removeFirst();
      continue;
    }
    take_message(document.object());
  }
}

void DirectMcpClient::read_stderr() {
  if (!process_) return;
  for (auto const& line : stderr_lines_.feed(process_->readAllStandardError())) stderr_tail_ << QString::fromUtf8(line);
  while (stderr_tail_.size() > kStderrTailLines) stderr_tail_.removeFirst();
}

void DirectMcpClient::take_message(QJsonObject const& message) {
  if (message.contains("method")) {
    if (message.contains("id")) answer_server_request(message);
    return;  // notifications (progress, logging, list changes) need nothing from a load client
  }
  auto const found = pending_.find(message.value("id").toInteger(-1));
  if (found == pending_.end()) return;  // an answer after its timeout
  auto call = std::move(found->second);
  pending_.erase(found);
  call.timeout->stop();
  call.timeout->deleteLater();
  McpAnswer answer;
  answer.latency_ms = double(call.clock.nsecsElapsed()) / 1e6;
  if (!read_json_rpc_response(message, answer)) answer.problem = tr("an answer with neither result nor error");
  call.done(std::move(answer));
}

// A plain host answers what it can: ping, and an empty list of roots; it offers no sampling or
// elicitation, so anything else is a method it does not have.
void DirectMcpClient::answer_server_request(QJsonObject const& request) {
  auto const method = request.value("method").toString();
  QJsonObject reply{{"jsonrpc", "2.0"}, {"id", request.value("id")}};
  if (method == "ping") reply.insert("result", QJsonObject{});
  else if (method == "roots/list") reply.insert("result", QJsonObject{{"roots", QJsonArray{}}});
  else reply.insert("error", QJsonObject{{"code", -32601}, {"message", "the console offers no " + method}});
  if (process_) process_->write(compact(reply) + '\n');
}

void DirectMcpClient::process_ended(QString const& why) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  QString detail = why;
  if (!stderr_tail_.isEmpty()) detail += tr(" (last on stderr: %1)").arg(stderr_tail_.last());
  closed_why_ = detail;
  fail_all(detail);
  emit closed(detail);
}

void DirectMcpClient::fail_all(QString const& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, call] : pending) {
    call.timeout->stop();
    call.timeout->deleteLater();
    McpAnswer answer;
    answer.latency_ms = double(call.clock.nsecsElapsed()) / 1e6;
    answer.problem = why;
    call.done(std::move(answer));
  }
}

void DirectMcpClient::close() {
  bool const was_open = state_ != State::kClosed;
  state_ = State::kClosed;
  if (process_) {
    process_->disconnect(this);
    reap(std::move(process_));
  }
  if (was_open) fail_all(tr("closed by the console"));
  if (!session_id_.isEmpty()) {
    QNetworkRequest http(target_.url);
    for (auto const& [name, value] : target_.headers) http.setRawHeader(name, value);
    http.setRawHeader("Mcp-Session-Id", session_id_);
    http.setTransferTimeout(3000);
    auto* reply = network_.deleteResource(http);
    connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    session_id_.clear();
  }
}

}  // namespace prodmcp::console
