#include "logs/log_stream_client.hpp"

#include "admin/admin_request.hpp"

#include <QUrlQuery>

namespace prodmcp::console {
namespace {
constexpr int kMaxBackoffMs = 10'000;
}

LogStreamClient::LogStreamClient(QObject* parent) : QObject(parent) {
  reconnect_.setSingleShot(true);
  connect(&reconnect_, &QTimer::timeout, this, &LogStreamClient::open);
}

LogStreamClient::~LogStreamClient() {
  if (reply_) {
    reply_->disconnect(this);
    reply_->abort();
  }
}

void LogStreamClient::set_admin_url(QUrl const& admin_url) {
  if (admin_url == admin_url_) return;
  admin_url_ = admin_url;
  reconnect_.stop();
  if (reply_) {
    reply_->disconnect(this);
    reply_->abort();
    reply_->deleteLater();
  }
  backoff_ms_ = 500;
  if (!admin_url_.isEmpty()) open();
}

void LogStreamClient::open() {
  QUrl url = admin_url_;
  url.setPath("/logs");
  url.setQuery(QUrlQuery{{"replay", QString::number(replay_lines_)}});
  auto request = admin_request(url);
  // No transfer timeout: the stream is meant to stay open; a dead server ends it with an error.
  lines_.clear();
  refusal_.clear();
  reply_ = network_.get(request);
  connect(reply_, &QNetworkReply::readyRead, this, &LogStreamClient::read);
  connect(reply_, &QNetworkReply::finished, this, &LogStreamClient::on_finished);
  connect(reply_, &QNetworkReply::metaDataChanged, this, [this] {
    if (reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) return;
    connected_ = true;
    backoff_ms_ = 500;
    emit connection_changed(true, tr("streaming %1").arg(reply_->url().toString()));
  });
}

void LogStreamClient::read() {
  auto const status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status != 200) {
    refusal_ += reply_->readAll();  // an error body, not log lines
    return;
  }
  auto const lines = lines_.feed(reply_->readAll());
  if (!lines.isEmpty()) emit output_lines(lines);
}

void LogStreamClient::on_finished() {
  auto const status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  refusal_ += reply_->readAll();
  QString detail = admin_refusal(status, refusal_);
  if (detail.isEmpty())
    detail = reply_->error() == QNetworkReply::NoError ? tr("the server ended the log stream") : reply_->errorString();
  refusal_.clear();
  reply_->deleteLater();
  connected_ = false;
  emit connection_changed(false, detail);
  if (admin_url_.isEmpty()) return;
  reconnect_.start(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
}

}  // namespace prodmcp::console
