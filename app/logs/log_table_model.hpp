#pragma once
// The log view's model: the store's lines, or the ones the current filter keeps, as a table.
//
// Lines come in bursts (a QProcess can deliver 20,000 a second); they wait in a pending list and
// reach the store and the view together, at most once per flush interval, as one rowsInserted (and
// a rowsRemoved for what the caps evict, announced before it goes). A filter runs on a worker thread
// over a snapshot of the store and hands its matches over in ordered runs (throttled to the progress
// interval); results of a filter the user has since replaced are dropped. Lines that arrive while
// a filter is set are tested here and appended when they match.
#include <QAbstractTableModel>
#include <QByteArray>
#include <QList>
#include <QString>
#include <QTimer>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "logs/log_filter.hpp"
#include "logs/log_store.hpp"

class QIODevice;

namespace prodmcp::console::logs {

class LogTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    kTimeColumn,
    kLevelColumn,
    kLoggerColumn,
    kEventColumn,
    kCorrelationIdColumn,
    kFieldsColumn,
    kColumnCount,
  };
  enum Role {
    kLevelRole = Qt::UserRole + 1,  // int: the Level (0 = none), for coloring
    kSequenceRole,                  // qulonglong: the line's sequence number, stable across eviction
    kTimestampRole,                 // qint64: milliseconds since the epoch (UTC)
    kRawLineRole,                   // QString: the line as received
  };

  struct Options {
    LogStore::Options store;                           // auto_evict is ignored: the model evicts
    std::chrono::milliseconds flush_interval{75};      // how often rows appear while lines stream in
    std::chrono::milliseconds progress_interval{100};  // how often a running filter reports
    int filter_threads = 2;
  };

  explicit LogTableModel(QObject* parent = nullptr);
  explicit LogTableModel(Options options, QObject* parent = nullptr);
  ~LogTableModel() override;

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  // Lines without their line break. They show at the next flush (or flush()).
  void append_lines(QList<QByteArray> const& lines);
  void append_line(QByteArray const& line);
  void flush();
  // Forgets every line (sequence numbers go on from where they were).
  void clear();
  int pending_lines() const { return static_cast<int>(pending_count_); }
  LogStore const& store() const { return store_; }

  // Parses and applies a query (syntax in log_filter.hpp). On an error the filter stays as it was
  // and `error` says why.
  bool set_query(QString const& query, QString* error = nullptr);
  void set_filter(FilterSpec spec);
  FilterSpec const& filter_spec() const { return filter_; }
  QString query() const;  // the current filter as a query, for the search box after a pivot
  // The chart pivot: narrows the current filter to [from, to] (milliseconds since the epoch,
  // inclusive; nullopt leaves that end open).
  void set_time_range(std::optional<qint64> from_ms, std::optional<qint64> to_ms);
  // Every line of one request; an empty id drops the condition.
  void set_correlation_id(QString const& id);
  bool is_filtered() const { return filtered_; }
  bool is_filtering() const { return filter_running_; }

  // The line shown at a row, by sequence number; nullopt outside the rows.
  std::optional<std::uint64_t> sequence_at(int row) const;
  // The row showing a line; -1 if it is not shown (filtered out or evicted).
  int row_of(std::uint64_t seq) const;

  // The shown lines: as received, one per line (JSON Lines); or the columns as CSV with a header,
  // the time in full ISO-8601 UTC. Returns the number of lines written, -1 on a write error.
  qint64 export_json_lines(QIODevice& device) const;
  qint64 export_csv(QIODevice& device) const;
  // For the clipboard: the rows' columns separated by tabs, one row per line; or the raw lines.
  QString copy_text(QList<int> rows) const;
  QString copy_raw(QList<int> rows) const;

 signals:
  // Rows were added at the end (new lines, or filter results): a view in follow mode scrolls.
  void rows_appended(int first, int last);
  void filter_started();
  void filter_progress(int percent, qint64 matches);
  void filter_finished(qint64 matches);

 private:
  QString rows_text(QList<int> rows, std::function<QString(LineView const&)> const& line_text) const;
  struct Batch {
    QList<QByteArray> lines;
    std::int64_t received_us = 0;
  };
  struct FilterJob {
    std::uint64_t generation = 0;
    FilterSpec spec;
    LogSnapshot snapshot;
    std::shared_ptr<std::atomic<bool>> cancel;
  };

  void evict_announced(std::uint64_t target);
  void append_rows(std::vector<std::uint64_t> const& seqs);
  void start_filter_job();
  void cancel_filter_job();
  void worker_loop();
  void run_filter_job(FilterJob& job);
  void on_filter_results(std::uint64_t generation, std::vector<std::uint64_t> const& matches,
                         std::uint64_t scanned, std::uint64_t total, bool done);

  Options options_;
  LogStore store_;
  std::vector<Batch> pending_;
  std::size_t pending_count_ = 0;
  QTimer flush_timer_;

  // Unfiltered rows: the sequence numbers [shown_first_, shown_end_).
  std::uint64_t shown_first_ = 0;
  std::uint64_t shown_end_ = 0;
  // Filtered rows: the matching sequence numbers, increasing.
  bool filtered_ = false;
  std::deque<std::uint64_t> matches_;
  FilterSpec filter_;
  std::unique_ptr<LineMatcher> live_matcher_;  // tests new lines on this thread
  bool filter_running_ = false;
  std::vector<std::uint64_t> live_tail_;  // new matches held back until the running filter ends
  std::uint64_t generation_ = 0;
  std::shared_ptr<std::atomic<bool>> job_cancel_;

  // The filter worker: one thread, the latest job only.
  std::thread worker_;
  std::mutex worker_mutex_;
  std::condition_variable worker_wake_;
  std::optional<FilterJob> next_job_;
  bool worker_stop_ = false;
};

}  // namespace prodmcp::console::logs
