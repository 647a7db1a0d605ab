#pragma once
// Scrapes one server's /metrics on an interval (default 1 s) with a timeout, parses the text off the
// GUI thread and appends it to the server's series store. A failed scrape records up=0, as
// Prometheus does, so "server down" is a query like any other.
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include "metrics/series_store.hpp"

namespace prodmcp::console {

struct ScrapeReport {
  bool ok = false;          // fetched and parsed without errors
  qint64 time_ms = 0;       // when it was taken
  qint64 fetch_ms = 0;      // HTTP round-trip
  double parse_store_ms = 0;  // parse + append
  std::size_t samples = 0;
  std::size_t series = 0;    // in the store afterwards
  QString error;             // HTTP error or the first parse errors
};

class MetricsScraper : public QObject {
  Q_OBJECT
 public:
  // A /metrics body larger than this is not read (prodmcp-server's own is some tens of kB).
  static constexpr qint64 kDefaultMaxBodyBytes = qint64{32} << 20;

  explicit MetricsScraper(metrics::SeriesStore& store, QObject* parent = nullptr);
  ~MetricsScraper() override;

  // An empty URL stops scraping; the store keeps its history (a restarted server continues it).
  void set_admin_url(QUrl const& admin_url);
  void set_interval_ms(int milliseconds) { timer_.setInterval(milliseconds); }
  int interval_ms() const { return timer_.interval(); }
  void set_timeout_ms(int milliseconds) { timeout_ms_ = milliseconds; }
  void set_max_body_bytes(qint64 bytes) { max_body_bytes_ = bytes; }
  ScrapeReport const& last_report() const { return last_; }

 public slots:
  void scrape_now();
  // A scrape's answer, fetched here or replayed from a recording: parsed off the GUI thread and
  // stored at `time_ms`; `error` set for a failed scrape (then `body` is ignored).
  void take(qint64 time_ms, QByteArray const& body, QString const& error = {});

 signals:
  // The raw answer of each scrape, before parsing (for recordings).
  void fetched(qint64 time_ms, QByteArray const& body, QString const& error);
  void scraped(prodmcp::console::ScrapeReport const& report);

 private:
  void finish(ScrapeReport report);

  metrics::SeriesStore& store_;
  QNetworkAccessManager network_;
  QThreadPool parser_;  // one thread: scrapes are appended in order
  QTimer timer_;
  QUrl metrics_url_;
  int timeout_ms_ = 3000;
  qint64 max_body_bytes_ = kDefaultMaxBodyBytes;
  bool in_flight_ = false;
  qint64 fetch_ms_ = 0;  // the HTTP round-trip of the scrape being taken
  ScrapeReport last_;
};

}  // namespace prodmcp::console
