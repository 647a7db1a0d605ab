#include "recording/session_recording.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

#include "console_session.hpp"

namespace prodmcp::console {

namespace {

constexpr int kFormatVersion = 1;

QString state_text(CheckState state) { return check_state_name(state); }

CheckState state_of(QString const& text) {
  for (auto const state : {CheckState::kHealthy, CheckState::kDegraded, CheckState::kUnhealthy, CheckState::kUnknown})
    if (check_state_name(state) == text) return state;
  return CheckState::kUnknown;
}

EventSeverity severity_of(QString const& text) {
  for (auto const severity : {EventSeverity::kInfo, EventSeverity::kWarning, EventSeverity::kCritical})
    if (event_severity_name(severity) == text) return severity;
  return EventSeverity::kInfo;
}

}  // namespace

SessionRecorder::SessionRecorder(ConsoleSession& session, QObject* parent) : QObject(parent), session_(session) {
  flush_.setInterval(1000);
  connect(&flush_, &QTimer::timeout, this, [this] {
    if (file_.isOpen() && !file_.flush()) stop_because(tr("cannot write %1: %2").arg(file_.fileName(), file_.errorString()));
  });
}

SessionRecorder::~SessionRecorder() { stop(); }

bool SessionRecorder::start(QString const& path, QString* error) {
  stop();
  file_.setFileName(path);
  if (!file_.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    if (error) *error = file_.errorString();
    return false;
  }
  records_ = 0;
  bytes_ = 0;
  problem_.clear();
  auto const now = QDateTime::currentMSecsSinceEpoch();
  write(now, QStringLiteral("recording"),
        {{"version", kFormatVersion}, {"admin_url", session_.admin_url().toString()}, {"mcp_url", session_.mcp_url().toString()}});
  for (auto const& event : session_.events().events())
    write(event.time_ms, QStringLiteral("event"),
          {{"severity", event_severity_name(event.severity)}, {"source", event.source}, {"event", event.kind},
           {"message", event.message}});
  taps_.push_back(connect(&session_.scraper(), &MetricsScraper::fetched, this,
                          [this](qint64 time_ms, QByteArray const& body, QString const& error) {
                            write(time_ms, QStringLiteral("scrape"),
                                  {{"body", QString::fromUtf8(body)}, {"error", error}});
                          }));
  taps_.push_back(connect(&session_, &ConsoleSession::log_lines, this, [this](QList<QByteArray> const& lines) {
    auto const now_ms = QDateTime::currentMSecsSinceEpoch();
    QJsonArray texts;
    for (auto const& line : lines) texts.append(QString::fromUtf8(line));
    write(now_ms, QStringLiteral("logs"), {{"lines", texts}});
  }));
  taps_.push_back(connect(&session_.health(), &HealthPoller::updated, this, [this] {
    auto const& health = session_.health();
    QJsonArray rows;
    qint64 time_ms = QDateTime::currentMSecsSinceEpoch();
    for (auto const& check : health.checks()) {
      auto const* sample = check.latest();
      if (!sample) continue;
      rows.append(QJsonObject{{"name", check.name}, {"time", sample->time_ms}, {"state", state_text(sample->state)},
                              {"latency_ms", sample->latency_ms}, {"detail", sample->detail}});
    }
    write(time_ms, QStringLiteral("health"), {{"rows", rows}, {"ready", health.ready()}, {"shutting_down", health.shutting_down()}});
  }));
  taps_.push_back(connect(&session_.events(), &EventLog::added, this, [this](Event const& event) {
    write(event.time_ms, QStringLiteral("event"),
          {{"severity", event_severity_name(event.severity)}, {"source", event.source}, {"event", event.kind},
           {"message", event.message}});
  }));
  flush_.start();
  session_.events().add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("recording_started"),
                        tr("recording to %1").arg(path));
  emit recording_changed(true);
  return true;
}

void SessionRecorder::stop() {
  if (!file_.isOpen()) return;
  session_.events().add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("recording_stopped"),
                        tr("recorded %1 records to %2").arg(records_ + 1).arg(file_.fileName()));
  for (auto const& tap : taps_) disconnect(tap);
  taps_.clear();
  flush_.stop();
  file_.close();
  emit recording_changed(false);
}

void SessionRecorder::stop_because(QString const& problem) {
  if (!file_.isOpen() || !problem_.isEmpty()) return;
  problem_ = problem;  // from here on write() writes nothing: the events below must not recurse
  stop();
  session_.events().add(EventSeverity::kWarning, QStringLiteral("console"), QStringLiteral("recording_failed"), problem);
}

void SessionRecorder::write(qint64 time_ms, QString const& kind, QJsonObject fields) {
  if (!file_.isOpen() || !problem_.isEmpty()) return;
  fields.insert("t", time_ms);
  fields.insert("kind", kind);
  auto line = QJsonDocument(fields).toJson(QJsonDocument::Compact);
  line += '\n';
  if (bytes_ + line.size() > max_bytes_)
    return stop_because(tr("the recording reached its size limit (%1 MiB) and stopped; %2 keeps what came before")
                            .arg(max_bytes_ >> 20)
                            .arg(file_.fileName()));
  if (file_.write(line) != line.size())
    return stop_because(tr("cannot write %1: %2").arg(file_.fileName(), file_.errorString()));
  bytes_ += line.size();
  ++records_;
}

SessionReplayer::SessionReplayer(ConsoleSession& session, QObject* parent) : QObject(parent), session_(session) {
  timer_.setInterval(50);
  connect(&timer_, &QTimer::timeout, this, &SessionReplayer::deliver_due);
}

bool SessionReplayer::load(QString const& path, QString* error) {
  QFile file(path);
  auto fail = [&](QString const& why) {
    if (error) *error = why;
    records_.clear();
    return false;
  };
  if (!file.open(QIODevice::ReadOnly)) return fail(file.errorString());
  records_.clear();
  dropped_tail_ = false;
  int line_number = 0;
  while (!file.atEnd()) {
    auto const line = file.readLine();
    ++line_number;
    if (line.trimmed().isEmpty()) continue;
    QJsonParseError parse_error{};
    auto const object = QJsonDocument::fromJson(line, &parse_error).object();
    if (parse_error.error != QJsonParseError::NoError || !object.contains("t") || !object.contains("kind")) {
      // Every line the recorder writes ends in a newline: a last line without one was cut short.
      if (file.atEnd() && !line.endsWith('\n') && !records_.empty()) {
        dropped_tail_ = true;
        break;
      }
      return fail(tr("%1:%2: not a recording line (%3)").arg(path).arg(line_number).arg(parse_error.errorString()));
    }
    if (line_number == 1 && object.value("kind").toString() != QLatin1String("recording"))
      return fail(tr("%1: not a console recording (no header line)").arg(path));
    records_.push_back({object.value("t").toInteger(), object.value("kind").toString(), object});
  }
  if (records_.empty()) return fail(tr("%1 is empty").arg(path));
  // Events recorded at the start are older than the header: play in time order.
  std::stable_sort(records_.begin(), records_.end(), [](auto const& a, auto const& b) { return a.time_ms < b.time_ms; });
  first_ms_ = records_.front().time_ms;
  last_ms_ = records_.back().time_ms;
  next_ = 0;
  return true;
}

void SessionReplayer::play(double speed) {
  next_ = 0;
  speed_ = std::isfinite(speed) && speed > 0 ? speed : 1;
  origin_ms_ = first_ms_;
  wall_.start();
  timer_.start();
  deliver_due();
}

void SessionReplayer::set_speed(double speed) {
  if (!std::isfinite(speed) || speed <= 0) return;
  origin_ms_ = now_ms();
  wall_.restart();
  speed_ = speed;
}

qint64 SessionReplayer::now_ms() const {
  if (!wall_.isValid()) return first_ms_;
  // In double: a recording's times are whatever its file says, and may span more than qint64 holds.
  double const moment = static_cast<double>(origin_ms_) + static_cast<double>(wall_.elapsed()) * speed_;
  return moment >= static_cast<double>(last_ms_) ? last_ms_ : static_cast<qint64>(moment);
}

void SessionReplayer::deliver_due() {
  auto const now = now_ms();
  while (next_ < records_.size() && records_[next_].time_ms <= now) deliver(records_[next_++]);
  emit position_changed(now);
  if (next_ >= records_.size()) {
    timer_.stop();
    emit finished_playing();
  }
}

void SessionReplayer::deliver(Record const& record) {
  auto const& f = record.fields;
  if (record.kind == QLatin1String("scrape")) {
    session_.scraper().take(record.time_ms, f.value("body").toString().toUtf8(), f.value("error").toString());
  } else if (record.kind == QLatin1String("logs")) {
    QList<QByteArray> lines;
    for (auto const& line : f.value("lines").toArray()) lines << line.toString().toUtf8();
    emit session_.log_lines(lines);
  } else if (record.kind == QLatin1String("health")) {
    std::vector<std::pair<QString, CheckSample>> rows;
    for (auto const& item : f.value("rows").toArray()) {
      auto const row = item.toObject();
      rows.push_back({row.value("name").toString(),
                      {row.value("time").toInteger(), state_of(row.value("state").toString()),
                       row.value("latency_ms").toDouble(), row.value("detail").toString()}});
    }
    session_.health().replay_poll(rows, f.value("ready").toBool(), f.value("shutting_down").toBool());
  } else if (record.kind == QLatin1String("event")) {
    session_.events().add({record.time_ms, severity_of(f.value("severity").toString()), f.value("source").toString(),
                           f.value("event").toString(), f.value("message").toString()});
  }
}

}  // namespace prodmcp::console
