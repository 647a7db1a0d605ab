#include "mcp/mcp_client.hpp"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkReply>
#include <memory>

#include "mcp/stateless_request.hpp"
#include "net/reply_limit.hpp"

namespace prodmcp::console {

QJsonObject json_rpc_response(QByteArray const& body, QByteArray const& content_type) {
  auto const is_response = [](QJsonObject const& message) {
    return message.contains("result") || message.contains("error");
  };
  if (!content_type.startsWith("text/event-stream")) {
    auto const message = QJsonDocument::fromJson(body).object();
    return is_response(message) ? message : QJsonObject();
  }
  // One event per blank-line-separated block; its data lines joined make the message.
  QByteArray data;
  QJsonObject found;
  auto const flush = [&] {
    if (data.isEmpty()) return;
    auto const message = QJsonDocument::fromJson(data).object();
    if (is_response(message)) found = message;
    data.clear();
  };
  for (QByteArray line : body.split('\n')) {
    if (line.endsWith('\r')) line.chop(1);
    if (line.isEmpty()) flush();
    else if (line.startsWith("data:")) data += line.mid(line.startsWith("data: ") ? 6 : 5) + '\n';
  }
  flush();
  return found;
}

bool read_json_rpc_response(QJsonObject const& response, McpAnswer& answer) {
  if (response.contains("result")) {
    answer.ok = true;
    answer.result = response.value("result").toObject();
    return true;
  }
  if (!response.contains("error")) return false;
  answer.error = response.value("error").toObject();
  auto const message = answer.error.value("message").toString();
  auto const code = answer.error.value("code").toInt();
  answer.problem = answer.http_status ? QStringLiteral("%1 (JSON-RPC %2, HTTP %3)").arg(message).arg(code).arg(answer.http_status)
                                      : QStringLiteral("%1 (JSON-RPC %2)").arg(message).arg(code);
  return true;
}

namespace {

constexpr int kMaxPages = 1000;
constexpr qsizetype kMaxListed = 10'000;

void next_page(PageRequest const& request, QString const& method, QString const& key, QJsonArray collected,
               QString const& cursor, int pages, std::function<void(QJsonArray, QString)> done) {
  QJsonObject params;
  if (!cursor.isEmpty()) params.insert("cursor", cursor);
  request(params, [request, method, key, collected, cursor, pages, done](McpAnswer const& answer) mutable {
    if (!answer.ok) return done(collected, method + ": " + answer.problem);
    for (auto const& item : answer.result.value(key).toArray()) collected.append(item);
    auto const next = answer.result.value("nextCursor").toString();
    if (next.isEmpty() || collected.size() > kMaxListed) return done(collected, {});  // bounded, whatever the server says
    // A server that hands back the cursor it was given (or pages forever) would be asked forever.
    if (next == cursor || pages >= kMaxPages)
      return done(collected, QObject::tr("%1: the server's nextCursor does not advance; stopped after %2 pages")
                                 .arg(method)
                                 .arg(pages + 1));
    next_page(request, method, key, collected, next, pages + 1, done);
  });
}

}  // namespace

void list_every_page(PageRequest request, QString const& method, QString const& key,
                     std::function<void(QJsonArray, QString)> done) {
  next_page(request, method, key, {}, {}, 0, std::move(done));
}

McpClient::McpClient(QObject* parent) : QObject(parent) {}

void McpClient::request(QString const& method, QJsonObject params, QString const& name,
                        std::function<void(McpAnswer)> done) {
  int const id = next_id_++;
  auto [http, body] = stateless_request(url_, id, method, std::move(params), name, token_, timeout_ms_);
  QElapsedTimer clock;
  clock.start();
  QNetworkReply* reply = network_.post(http, body);
  limit_reply_size(reply, max_reply_bytes_);
  McpExchange exchange{QDateTime::currentMSecsSinceEpoch(), id, method, name, body, {}, 0, 0, {}, {}};
  connect(reply, &QNetworkReply::finished, this,
          [this, reply, clock, exchange, limit = max_reply_bytes_, done = std::move(done)]() mutable {
    reply->deleteLater();
    McpAnswer answer;
    answer.latency_ms = double(clock.nsecsElapsed()) / 1e6;
    answer.http_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.correlation_id = QString::fromLatin1(reply->rawHeader("X-Correlation-ID"));
    auto const received = reply->readAll();
    auto const response = json_rpc_response(received, reply->header(QNetworkRequest::ContentTypeHeader).toByteArray());
    if (!read_json_rpc_response(response, answer)) {
      answer.timed_out = reply->error() == QNetworkReply::OperationCanceledError;
      answer.problem = reply_too_large(reply) ? reply_too_large_error(limit)
                       : answer.http_status ? QStringLiteral("HTTP %1 without a JSON-RPC answer").arg(answer.http_status)
                                            : reply->errorString();
    }
    if (log_) {
      exchange.response = received;
      exchange.http_status = answer.http_status;
      exchange.latency_ms = answer.latency_ms;
      exchange.correlation_id = answer.correlation_id;
      exchange.outcome = answer.ok ? QStringLiteral("ok") : answer.problem;
      log_->add(std::move(exchange));
    }
    done(std::move(answer));
  });
}

void McpClient::call_tool(QString const& tool, QJsonObject arguments, std::function<void(McpAnswer)> done) {
  request(QStringLiteral("tools/call"), QJsonObject{{"name", tool}, {"arguments", arguments}}, tool, std::move(done));
}

void McpClient::list_all(std::function<void(McpCatalog)> done) {
  auto catalog = std::make_shared<McpCatalog>();
  auto remaining = std::make_shared<int>(4);
  auto part = [catalog, remaining, done](QJsonArray McpCatalog::*field) {
    return [catalog, remaining, done, field](QJsonArray items, QString problem) {
      (*catalog).*field = std::move(items);
      if (!problem.isEmpty() && catalog->problem.isEmpty()) catalog->problem = problem;
      if (--*remaining == 0) done(*catalog);
    };
  };
  auto pages_of = [this](QString const& method) -> PageRequest {
    return [this, method](QJsonObject params, std::function<void(McpAnswer)> done) {
      request(method, std::move(params), {}, std::move(done));
    };
  };
  list_every_page(pages_of("tools/list"), "tools/list", "tools", part(&McpCatalog::tools));
  list_every_page(pages_of("resources/list"), "resources/list", "resources", part(&McpCatalog::resources));
  list_every_page(pages_of("resources/templates/list"), "resources/templates/list", "resourceTemplates",
                  part(&McpCatalog::resource_templates));
  list_every_page(pages_of("prompts/list"), "prompts/list", "prompts", part(&McpCatalog::prompts));
}

}  // namespace prodmcp::console
