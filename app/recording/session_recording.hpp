#pragma once
// Record and replay: a session's scrapes, log lines, health polls and events saved to one file
// (JSON lines, each with its time), and played back offline through the same parsers, stores and
// models at any speed, for post-mortems and for teaching without a live server.
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <vector>

namespace prodmcp::console {

class ConsoleSession;

class SessionRecorder : public QObject {
  Q_OBJECT
 public:
  explicit SessionRecorder(ConsoleSession& session, QObject* parent = nullptr);
  ~SessionRecorder() override;

  static constexpr qint64 kDefaultMaxBytes = qint64{1} << 30;

  // Starts writing to `path` (replacing it), beginning with the events so far. False with `error`.
  bool start(QString const& path, QString* error = nullptr);
  void stop();
  bool recording() const { return file_.isOpen(); }
  QString path() const { return file_.fileName(); }
  qint64 records() const { return records_; }
  qint64 bytes() const { return bytes_; }
  // A recording stops by itself (with an event saying so) before it would pass this size.
  void set_max_bytes(qint64 bytes) { max_bytes_ = bytes; }
  // Why the last recording stopped by itself (a write error, the size limit); empty otherwise.
  QString problem() const { return problem_; }

 signals:
  void recording_changed(bool recording);

 private:
  void write(qint64 time_ms, QString const& kind, QJsonObject fields);
  void stop_because(QString const& problem);

  ConsoleSession& session_;
  QFile file_;
  QTimer flush_;
  qint64 records_ = 0;
  qint64 bytes_ = 0;
  qint64 max_bytes_ = kDefaultMaxBytes;
  QString problem_;
  std::vector<QMetaObject::Connection> taps_;
};

class SessionReplayer : public QObject {
  Q_OBJECT
 public:
  explicit SessionReplayer(ConsoleSession& session, QObject* parent = nullptr);

  // Reads a recording; false with `error` (the line that is wrong) if it is not one. A last line
  // cut short (the console stopped mid-write) is left out, not an error: see dropped_tail().
  bool load(QString const& path, QString* error = nullptr);
  bool dropped_tail() const { return dropped_tail_; }
  // Plays from the start at `speed` times the recorded pace.
  void play(double speed = 1);
  void set_speed(double speed);
  double speed() const { return speed_; }
  bool playing() const { return timer_.isActive(); }
  bool finished() const { return !records_.empty() && next_ >= records_.size(); }
  // The replayed moment (ms since the epoch, as recorded); the console's "now" while replaying.
  qint64 now_ms() const;
  qint64 first_ms() const { return first_ms_; }
  qint64 last_ms() const { return last_ms_; }
  std::size_t record_count() const { return records_.size(); }

 signals:
  void position_changed(qint64 now_ms);
  void finished_playing();

 private:
  struct Record {
    qint64 time_ms;
    QString kind;
    QJsonObject fields;
  };
  void deliver_due();
  void deliver(Record const& record);

  ConsoleSession& session_;
  std::vector<Record> records_;
  std::size_t next_ = 0;
  bool dropped_tail_ = false;
  qint64 first_ms_ = 0;
  qint64 last_ms_ = 0;
  double speed_ = 1;
  qint64 origin_ms_ = 0;  // the replayed moment when the wall clock below started
  QElapsedTimer wall_;
  QTimer timer_;
};

}  // namespace prodmcp::console
