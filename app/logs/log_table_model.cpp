#include "logs/log_table_model.hpp"

#include <QDateTime>
#include <QIODevice>

#include <algorithm>

namespace prodmcp::console::logs {

namespace {

// A cell shows at most this many bytes of a value: a 4 MiB line must not turn into a 4 MiB QString
// each time the view paints. Exports and copies take whole values.
constexpr std::size_t kMaxCellBytes = 2000;
constexpr std::size_t kWhole = std::string_view::npos;

bool is_key_field(std::string_view key) {
  return key == "timestamp" || key == "level" || key == "logger" || key == "event" || key == "correlation_id";
}

QString to_qstring(std::string_view text) {
  return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return to_qstring(text);
  return to_qstring(text.substr(0, limit)) + QChar(0x2026);
}

// The other fields as k=v k=v: strings unescaped (quoted when they hold a space or are empty),
// everything else as written.
std::string fields_text(std::string_view raw, std::size_t limit) {
  std::string out;
  TopLevelScanner scanner(raw);
  JsonField field;
  std::string value;
  while (out.size() <= limit && scanner.next(field)) {
    std::string const key = field.key_escaped ? unescape_json(field.key) : std::string(field.key);
    if (is_key_field(key)) continue;
    if (!out.empty()) out.push_back(' ');
    out += key;
    out.push_back('=');
    if (field.kind != ValueKind::kString) {
      out += field.value;
      continue;
    }
    value.clear();
    append_unescaped(value, field.value);
    bool const quote = value.empty() || value.find_first_of(" \t\n\"") != std::string::npos;
    if (!quote) {
      out += value;
      continue;
    }
    out.push_back('"');
    for (char const c : value) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c == '\n') out += "\\n";
      else out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

QString csv_field(QString const& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A column of a line as text, values cut at `limit` bytes.
QString column_text(LineView const& line, int column, std::size_t limit) {
  switch (column) {
    case LogTableModel::kTimeColumn:
      return QDateTime::fromMSecsSinceEpoch(line.timestamp_us() / 1000, Qt::LocalTime)
          .toString(QStringLiteral("hh:mm:ss.zzz"));
    case LogTableModel::kLevelColumn:
      return line.level() == Level::kNone ? QString() : to_qstring(level_name(line.level()));
    case LogTableModel::kLoggerColumn: return cut(line.logger(), limit);
    case LogTableModel::kEventColumn:
      return line.is_json() ? cut(line.event(), limit) : cut(line.raw(), limit);
    case LogTableModel::kCorrelationIdColumn: return cut(line.correlation_id(), limit);
    case LogTableModel::kFieldsColumn:
      return line.is_json() ? cut(fields_text(line.raw(), limit), limit) : QString();
    default: return {};
  }
}

LogStore::Options model_store_options(LogStore::Options options) {
  options.auto_evict = false;  // evictions are announced to the view first
  return options;
}

}  // namespace

LogTableModel::LogTableModel(QObject* parent) : LogTableModel(Options{}, parent) {}

LogTableModel::LogTableModel(Options options, QObject* parent)
    : QAbstractTableModel(parent), options_(options), store_(model_store_options(options.store)) {
  flush_timer_.setSingleShot(true);
  flush_timer_.setInterval(options_.flush_interval);
  connect(&flush_timer_, &QTimer::timeout, this, &LogTableModel::flush);
}

LogTableModel::~LogTableModel() {
  {
    std::lock_guard lock(worker_mutex_);
    worker_stop_ = true;
    next_job_.reset();
  }
  if (job_cancel_) job_cancel_->store(true);
  worker_wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

int LogTableModel::rowCount(QModelIndex const& parent) const {
  if (parent.isValid()) return 0;
  return static_cast<int>(filtered_ ? matches_.size() : shown_end_ - shown_first_);
}

int LogTableModel::columnCount(QModelIndex const& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

std::optional<std::uint64_t> LogTableModel::sequence_at(int row) const {
  if (row < 0 || row >= rowCount()) return std::nullopt;
  return filtered_ ? matches_[static_cast<std::size_t>(row)] : shown_first_ + static_cast<std::uint64_t>(row);
}

int LogTableModel::row_of(std::uint64_t seq) const {
  if (!filtered_) return seq >= shown_first_ && seq < shown_end_ ? static_cast<int>(seq - shown_first_) : -1;
  auto const it = std::lower_bound(matches_.begin(), matches_.end(), seq);
  return it != matches_.end() && *it == seq ? static_cast<int>(it - matches_.begin()) : -1;
}

QVariant LogTableModel::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  auto const seq = sequence_at(index.row());
  if (!seq) return {};
  auto const line = store_.line(*seq);
  if (!line) return {};
  switch (role) {
    case Qt::DisplayRole: return column_text(**line, index.column(), kMaxCellBytes);
    case Qt::ToolTipRole:
      if (index.column() == kTimeColumn) {
        auto const iso = QString::fromStdString(format_iso8601_us((*line)->timestamp_us()));
        return (*line)->has_timestamp() ? iso : iso + QStringLiteral(" (received)");
      }
      if (index.column() == kEventColumn || index.column() == kFieldsColumn)
        return column_text(**line, index.column(), kMaxCellBytes);
      return {};
    case kLevelRole: return static_cast<int>((*line)->level());
    case kSequenceRole: return QVariant::fromValue<qulonglong>(*seq);
    case kTimestampRole: return QVariant::fromValue<qint64>((*line)->timestamp_us() / 1000);
    case kRawLineRole:
      return to_qstring((*line)->raw());
    default: return {};
  }
}

QVariant LogTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kTimeColumn: return tr("Time");
    case kLevelColumn: return tr("Level");
    case kLoggerColumn: return tr("Logger");
    case kEventColumn: return tr("Event");
    case kCorrelationIdColumn: return tr("Correlation id");
    case kFieldsColumn: return tr("Fields");
    default: return {};
  }
}

// ---- Ingest

void LogTableModel::append_lines(QList<QByteArray> const& lines) {
  if (lines.isEmpty()) return;
  pending_.push_back({lines, now_us()});
  pending_count_ += static_cast<std::size_t>(lines.size());
  if (!flush_timer_.isActive()) flush_timer_.start();
}

void LogTableModel::append_line(QByteArray const& line) { append_lines(QList<QByteArray>{line}); }

void LogTableModel::flush() {
  flush_timer_.stop();
  if (pending_.empty()) return;
  auto const old_end = store_.end_seq();
  std::vector<std::string_view> views;
  for (auto const& batch : pending_) {
    views.clear();
    for (auto const& line : batch.lines)
      views.emplace_back(line.constData(), static_cast<std::size_t>(line.size()));
    store_.append_batch(views, batch.received_us);
  }
  pending_.clear();
  pending_count_ = 0;
  auto const new_end = store_.end_seq();
  auto const target = store_.eviction_target();
  evict_announced(target);

  auto const from = std::max(old_end, target);
  if (!filtered_) {
    if (from >= new_end) return;
    int const first = rowCount();
    int const last = first + static_cast<int>(new_end - from) - 1;
    beginInsertRows({}, first, last);
    shown_end_ = new_end;
    endInsertRows();
    emit rows_appended(first, last);
    return;
  }
  std::vector<std::uint64_t> found;
  auto const snapshot = store_.snapshot();
  for (auto seq = from; seq < new_end; ++seq)
    if (auto const line = snapshot.line(seq); line && live_matcher_->matches(*line)) found.push_back(seq);
  if (filter_running_) {
    live_tail_.insert(live_tail_.end(), found.begin(), found.end());
  } else {
    append_rows(found);
  }
}

void LogTableModel::evict_announced(std::uint64_t target) {
  if (!filtered_) {
    auto const gone =
        std::min(target, shown_end_) > shown_first_ ? std::min(target, shown_end_) - shown_first_ : 0;
    if (gone > 0) beginRemoveRows({}, 0, static_cast<int>(gone) - 1);
    store_.evict_to(target);
    shown_first_ += gone;
    if (target > shown_end_) shown_first_ = shown_end_ = target;  // lines that were never shown went too
    if (gone > 0) endRemoveRows();
    return;
  }
  auto const gone =
      static_cast<std::size_t>(std::lower_bound(matches_.begin(), matches_.end(), target) - matches_.begin());
  if (gone > 0) beginRemoveRows({}, 0, static_cast<int>(gone) - 1);
  store_.evict_to(target);
  matches_.erase(matches_.begin(), matches_.begin() + static_cast<std::ptrdiff_t>(gone));
  if (gone > 0) endRemoveRows();
  std::erase_if(live_tail_, [target](std::uint64_t seq) { return seq < target; });
}

void LogTableModel::append_rows(std::vector<std::uint64_t> const& seqs) {
  // Results of a scan may name lines evicted since: those rows would be empty.
  auto const first_kept = std::lower_bound(seqs.begin(), seqs.end(), store_.first_seq());
  if (first_kept == seqs.end()) return;
  int const first = rowCount();
  int const last = first + static_cast<int>(seqs.end() - first_kept) - 1;
  beginInsertRows({}, first, last);
  matches_.insert(matches_.end(), first_kept, seqs.end());
  endInsertRows();
  emit rows_appended(first, last);
}

void LogTableModel::clear() {
  flush_timer_.stop();
  cancel_filter_job();
  beginResetModel();
  pending_.clear();
  pending_count_ = 0;
  store_.clear();
  shown_first_ = shown_end_ = store_.end_seq();
  matches_.clear();
  live_tail_.clear();
  bool const was_running = filter_running_;
  filter_running_ = false;
  endResetModel();
  if (was_running) emit filter_finished(0);
}

// ---- Filtering

bool LogTableModel::set_query(QString const& query, QString* error) {
  auto parsed = parse_filter(query.toStdString());
  if (!parsed.ok()) {
    if (error) *error = QString::fromStdString(parsed.error) + tr(" (at %1)").arg(parsed.error_offset);
    return false;
  }
  set_filter(std::move(parsed.spec));
  return true;
}

QString LogTableModel::query() const { return QString::fromStdString(format_filter(filter_)); }

void LogTableModel::set_time_range(std::optional<qint64> from_ms, std::optional<qint64> to_ms) {
  FilterSpec spec = filter_;
  spec.from_us = from_ms ? std::optional<std::int64_t>(*from_ms * 1000) : std::nullopt;
  spec.to_us = to_ms ? std::optional<std::int64_t>(*to_ms * 1000 + 999) : std::nullopt;  // the whole last ms
  set_filter(std::move(spec));
}

void LogTableModel::set_correlation_id(QString const& id) {
  FilterSpec spec = filter_;
  spec.correlation_id = id.toStdString();
  set_filter(std::move(spec));
}

void LogTableModel::set_filter(FilterSpec spec) {
  cancel_filter_job();
  ++generation_;
  beginResetModel();
  filter_ = std::move(spec);
  matches_.clear();
  live_tail_.clear();
  filtered_ = !filter_.matches_everything();
  filter_running_ = filtered_;
  live_matcher_ = filtered_ ? std::make_unique<LineMatcher>(filter_) : nullptr;
  shown_first_ = store_.first_seq();
  shown_end_ = store_.end_seq();
  endResetModel();
  if (!filtered_) {
    emit filter_finished(rowCount());
    return;
  }
  emit filter_started();
  start_filter_job();
}

void LogTableModel::cancel_filter_job() {
  if (job_cancel_) job_cancel_->store(true);
  job_cancel_.reset();
  ++generation_;  // whatever it still delivers is stale
}

void LogTableModel::start_filter_job() {
  job_cancel_ = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(worker_mutex_);
    next_job_ = FilterJob{generation_, filter_, store_.snapshot(), job_cancel_};
    if (!worker_.joinable()) worker_ = std::thread([this] { worker_loop(); });
  }
  worker_wake_.notify_one();
}

void LogTableModel::worker_loop() {
  for (;;) {
    FilterJob job;
    {
      std::unique_lock lock(worker_mutex_);
      worker_wake_.wait(lock, [this] { return worker_stop_ || next_job_; });
      if (worker_stop_) return;
      job = std::move(*next_job_);
      next_job_.reset();
    }
    run_filter_job(job);
  }
}

void LogTableModel::run_filter_job(FilterJob& job) {
  // Runs on the worker thread: only the job and the queued calls below touch the model.
  auto post = [this, generation = job.generation](std::vector<std::uint64_t> matches, std::uint64_t scanned,
                                                   std::uint64_t total, bool done) {
    QMetaObject::invokeMethod(
        this,
        [this, generation, matches = std::move(matches), scanned, total, done] {
          on_filter_results(generation, matches, scanned, total, done);
        },
        Qt::QueuedConnection);
  };
  std::vector<std::uint64_t> batch;
  auto last_post = std::chrono::steady_clock::now();
  auto const outcome = logs::filter(
      job.snapshot, job.spec, *job.cancel,
      [&](std::span<std::uint64_t const> matches, std::uint64_t scanned, std::uint64_t total) {
        batch.insert(batch.end(), matches.begin(), matches.end());
        auto const now = std::chrono::steady_clock::now();
        if (now - last_post < options_.progress_interval) return;
        last_post = now;
        post(std::exchange(batch, {}), scanned, total, false);
      },
      options_.filter_threads);
  if (!outcome.completed) return;  // replaced or cleared: nobody waits for it
  post(std::move(batch), outcome.scanned, job.snapshot.size(), true);
}

void LogTableModel::on_filter_results(std::uint64_t generation, std::vector<std::uint64_t> const& matches,
                                      std::uint64_t scanned, std::uint64_t total, bool done) {
  if (generation != generation_) return;  // the user has typed again
  append_rows(matches);
  if (!done) {
    emit filter_progress(total == 0 ? 100 : static_cast<int>(scanned * 100 / total),
                         static_cast<qint64>(matches_.size()));
    return;
  }
  filter_running_ = false;
  job_cancel_.reset();
  append_rows(std::exchange(live_tail_, {}));
  emit filter_finished(static_cast<qint64>(matches_.size()));
}

// ---- Export

qint64 LogTableModel::export_json_lines(QIODevice& device) const {
  qint64 written = 0;
  for (int row = 0; row < rowCount(); ++row) {
    auto const line = store_.line(*sequence_at(row));
    if (!line) continue;
    auto const raw = (*line)->raw();
    if (device.write(raw.data(), static_cast<qint64>(raw.size())) != static_cast<qint64>(raw.size()) ||
        device.write("\n", 1) != 1)
      return -1;
    ++written;
  }
  return written;
}

qint64 LogTableModel::export_csv(QIODevice& device) const {
  auto write = [&device](QString const& text) {
    auto const bytes = text.toUtf8();
    return device.write(bytes) == bytes.size();
  };
  QStringList header;
  for (int column = 0; column < kColumnCount; ++column)
    header << csv_field(headerData(column, Qt::Horizontal).toString());
  if (!write(header.join(QLatin1Char(',')) + QStringLiteral("\r\n"))) return -1;
  qint64 written = 0;
  for (int row = 0; row < rowCount(); ++row) {
    auto const line = store_.line(*sequence_at(row));
    if (!line) continue;
    QStringList fields;
    fields << QString::fromStdString(format_iso8601_us((*line)->timestamp_us()));
    for (int column = kLevelColumn; column < kColumnCount; ++column)
      fields << csv_field(column_text(**line, column, kWhole));
    if (!write(fields.join(QLatin1Char(',')) + QStringLiteral("\r\n"))) return -1;
    ++written;
  }
  return written;
}

// One text line per shown row, in row order; rows outside the view or evicted are skipped.
QString LogTableModel::rows_text(QList<int> rows, std::function<QString(LineView const&)> const& line_text) const {
  std::sort(rows.begin(), rows.end());
  QString text;
  for (int const row : rows) {
    auto const seq = sequence_at(row);
    auto const line = seq ? store_.line(*seq) : std::nullopt;
    if (line) text += line_text(**line) + QLatin1Char('\n');
  }
  return text;
}

QString LogTableModel::copy_text(QList<int> rows) const {
  return rows_text(std::move(rows), [](LineView const& line) {
    QStringList cells;
    for (int column = 0; column < kColumnCount; ++column) cells << column_text(line, column, kWhole);
    return cells.join(QLatin1Char('\t'));
  });
}

QString LogTableModel::copy_raw(QList<int> rows) const {
  return rows_text(std::move(rows), [](LineView const& line) { return to_qstring(line.raw()); });
}

}  // namespace prodmcp::console::logs
