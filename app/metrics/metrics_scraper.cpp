#include "metrics/metrics_scraper.hpp"

#include <QDateTime>
#include <QNetworkReply>
#include <chrono>
#include <utility>

#include "metrics/exposition_parser.hpp"
#include "net/reply_limit.hpp"

namespace prodmcp::console {

MetricsScraper::MetricsScraper(metrics::SeriesStore& store, QObject* parent) : QObject(parent), store_(store) {
  parser_.setMaxThreadCount(1);
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &MetricsScraper::scrape_now);
}

MetricsScraper::~MetricsScraper() { parser_.waitForDone(); }

void MetricsScraper::set_admin_url(QUrl const& admin_url) {
  if (admin_url.isEmpty()) {
    metrics_url_.clear();
    timer_.stop();
    return;
  }
  metrics_url_ = admin_url;
  metrics_url_.setPath("/metrics");
  timer_.start();
  scrape_now();
}

void MetricsScraper::scrape_now() {
  if (metrics_url_.isEmpty() || in_flight_) return;  // a slow server gets no pile of scrapes
  in_flight_ = true;
  QNetworkRequest request(metrics_url_);
  request.setTransferTimeout(timeout_ms_);
  QElapsedTimer clock;
  clock.start();
  qint64 const started_ms = QDateTime::currentMSecsSinceEpoch();
  QNetworkReply* reply = network_.get(request);
  limit_reply_size(reply, max_body_bytes_);
  connect(reply, &QNetworkReply::finished, this, [this, reply, clock, started_ms, max_bytes = max_body_bytes_] {
    reply->deleteLater();
    fetch_ms_ = clock.elapsed();
    int const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString error;
    if (reply_too_large(reply))
      error = "/metrics: " + reply_too_large_error(max_bytes);
    else if (reply->error() != QNetworkReply::NoError || status != 200)
      error = status ? tr("/metrics answered HTTP %1").arg(status) : reply->errorString();
    auto const body = error.isEmpty() ? reply->readAll() : QByteArray();
    emit fetched(started_ms, body, error);
    take(started_ms, body, error);
  });
}

void MetricsScraper::take(qint64 time_ms, QByteArray const& body, QString const& error) {
  ScrapeReport report;
  report.time_ms = time_ms;
  report.fetch_ms = std::exchange(fetch_ms_, 0);
  if (!error.isEmpty()) {
    report.error = error;
    parser_.start([this, report]() mutable {
      store_.append_failed_scrape(report.time_ms);
      report.series = store_.series_count();
      QMetaObject::invokeMethod(this, [this, report] { finish(report); });
    });
    return;
  }
  // Parsing a large scrape takes milliseconds: off the GUI thread.
  parser_.start([this, report, body]() mutable {
    auto const begin = std::chrono::steady_clock::now();
    auto const parsed = metrics::parse_exposition(std::string_view(body.constData(), std::size_t(body.size())));
    store_.append_scrape(parsed, report.time_ms);
    report.parse_store_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    report.samples = parsed.sample_count;
    report.series = store_.series_count();
    report.ok = parsed.ok();
    if (!parsed.ok()) {
      QStringList problems;
      for (auto const& error : parsed.errors) problems << QString::fromStdString(error.to_string());
      report.error = tr("%n malformed lines in /metrics: ", nullptr, int(parsed.error_count)) + problems.join("; ");
    }
    QMetaObject::invokeMethod(this, [this, report] { finish(report); });
  });
}

void MetricsScraper::finish(ScrapeReport report) {
  in_flight_ = false;
  last_ = std::move(report);
  emit scraped(last_);
}

}  // namespace prodmcp::console
