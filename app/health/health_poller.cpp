#include "health/health_poller.hpp"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

#include "net/reply_limit.hpp"

namespace prodmcp::console {

QString check_state_name(CheckState state) {
  switch (state) {
    case CheckState::kHealthy: return QStringLiteral("healthy");
    case CheckState::kDegraded: return QStringLiteral("degraded");
    case CheckState::kUnhealthy: return QStringLiteral("unhealthy");
    case CheckState::kUnknown: return QStringLiteral("unknown");
  }
  return {};
}

CheckState parse_check_state(QString const& status) {
  if (status == "healthy" || status == "ok" || status == "ready") return CheckState::kHealthy;
  if (status == "degraded") return CheckState::kDegraded;
  return CheckState::kUnhealthy;
}

HealthPoller::HealthPoller(QObject* parent) : QObject(parent) {
  timer_.setInterval(2000);
  connect(&timer_, &QTimer::timeout, this, &HealthPoller::poll_now);
  connect(&probe_, &McpProbe::finished, this, [this](McpProbe::Result const& result) {
    if (outstanding_ == 0 || result.request_id != probe_id_) return;  // a late answer to an abandoned poll
    CheckSample sample{QDateTime::currentMSecsSinceEpoch(),
                       result.ok ? CheckState::kHealthy : CheckState::kUnhealthy, result.latency_ms,
                       result.ok ? tr("%n tools", nullptr, int(result.tools.size())) : result.error};
    if (result.ok) tools_ = result.tools;
    record(kMcpRoundTrip, std::move(sample));
    --outstanding_;
    finish_if_complete();
  });
  set_timeout_ms(timeout_ms_);
}

void HealthPoller::set_timeout_ms(int milliseconds) {
  timeout_ms_ = milliseconds;
  probe_.set_timeout_ms(milliseconds);
}

void HealthPoller::set_endpoints(QUrl const& admin_url, QUrl const& mcp_url) {
  admin_url_ = admin_url;
  mcp_url_ = mcp_url;
  ++generation_;
  outstanding_ = 0;
  if (admin_url_.isEmpty()) {
    timer_.stop();
    return;
  }
  timer_.start();
  poll_now();
}

void HealthPoller::get(QString const& path,
                       std::function<void(int, QByteArray const&, double, QString const&)> done) {
  QUrl url = admin_url_;
  url.setPath(path);
  QNetworkRequest request(url);
  request.setTransferTimeout(timeout_ms_);
  QElapsedTimer clock;
  clock.start();
  QNetworkReply* reply = network_.get(request);
  constexpr qint64 kMaxBodyBytes = qint64{1} << 20;  // a probe's answer is a few hundred bytes
  limit_reply_size(reply, kMaxBodyBytes);
  connect(reply, &QNetworkReply::finished, this, [reply, clock, generation = generation_, this, done] {
    reply->deleteLater();
    if (generation != generation_) return;
    bool const too_large = reply_too_large(reply);
    int const status = too_large ? 0 : reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString const error = too_large     ? reply->url().path() + ": " + reply_too_large_error(kMaxBodyBytes)
                          : status == 0 ? reply->errorString()
                                        : QString();
    done(status, too_large ? QByteArray() : reply->readAll(), double(clock.nsecsElapsed()) / 1e6, error);
  });
}

void HealthPoller::poll_now() {
  if (admin_url_.isEmpty() || outstanding_ > 0) return;  // never stack polls on a slow server
  outstanding_ = mcp_url_.isEmpty() ? 2 : 3;
  poll_started_ms_ = QDateTime::currentMSecsSinceEpoch();
  int const generation = generation_;
  get("/health", [this, generation](int status, QByteArray const& body, double latency, QString const& error) {
    if (generation != generation_) return;
    auto const object = QJsonDocument::fromJson(body).object();
    liveness_ok_ = status == 200;
    QString detail = error.isEmpty() ? QStringLiteral("HTTP %1 %2").arg(status).arg(object.value("status").toString())
                                     : error;
    record(kLiveness, {QDateTime::currentMSecsSinceEpoch(),
                       liveness_ok_ ? CheckState::kHealthy : CheckState::kUnhealthy, latency, detail});
    --outstanding_;
    finish_if_complete();
  });
  get("/ready", [this, generation](int status, QByteArray const& body, double latency, QString const& error) {
    if (generation != generation_) return;
    auto const object = QJsonDocument::fromJson(body).object();
    qint64 const now = QDateTime::currentMSecsSinceEpoch();
    ready_ = status == 200;
    shutting_down_ = object.value("shutting_down").toBool();
    QString detail = error.isEmpty() ? QStringLiteral("HTTP %1 %2").arg(status).arg(object.value("status").toString())
                                     : error;
    if (shutting_down_) detail += tr(" (shutting down)");
    record(kReadiness, {now, ready_ ? CheckState::kHealthy : CheckState::kUnhealthy, latency, detail});
    auto const checks = object.value("checks").toObject();
    for (auto check = checks.begin(); check != checks.end(); ++check) {
      auto const fields = check.value().toObject();
      record(check.key(), {now, parse_check_state(fields.value("status").toString()),
                           fields.value("latency_ms").toDouble(), fields.value("detail").toString()});
      // A check of several things (each upstream of mcp_servers): a row each, "mcp_servers: NAME".
      auto const parts = fields.value("parts").toObject();
      for (auto part = parts.begin(); part != parts.end(); ++part) {
        auto const values = part.value().toObject();
        record(check.key() + QStringLiteral(": ") + part.key(),
               {now, parse_check_state(values.value("status").toString()), values.value("latency_ms").toDouble(),
                values.value("detail").toString()});
      }
    }
    --outstanding_;
    finish_if_complete();
  });
  if (!mcp_url_.isEmpty()) probe_id_ = probe_.probe(mcp_url_);
}

CheckSample const* HealthPoller::latest(QString const& name) const {
  for (auto const& check : checks_)
    if (check.name == name) return check.latest();
  return nullptr;
}

void HealthPoller::record(QString const& name, CheckSample sample) {
  auto row = std::find_if(checks_.begin(), checks_.end(), [&](CheckHistory const& c) { return c.name == name; });
  if (row == checks_.end()) {
    checks_.push_back({name, {}});
    row = checks_.end() - 1;
  }
  row->samples.push_back(std::move(sample));
  if (row->samples.size() > kHistoryLength) row->samples.pop_front();
}

void HealthPoller::replay_poll(std::vector<std::pair<QString, CheckSample>> const& rows, bool ready, bool shutting_down) {
  liveness_ok_ = false;
  for (auto const& [name, sample] : rows) {
    record(name, sample);
    if (name == kLiveness) {
      liveness_ok_ = sample.state == CheckState::kHealthy;
      poll_started_ms_ = sample.time_ms;
    }
  }
  ready_ = ready;
  shutting_down_ = shutting_down;
  outstanding_ = 0;
  finish_if_complete();
}

void HealthPoller::finish_if_complete() {
  if (outstanding_ > 0) return;
  consecutive_failures_ = liveness_ok_ ? 0 : consecutive_failures_ + 1;
  ++polls_;
  latest_poll_started_ms_ = poll_started_ms_;
  emit updated();
}

}  // namespace prodmcp::console
