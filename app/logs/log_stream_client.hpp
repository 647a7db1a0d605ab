#pragma once
// Attach mode's log source: reads a running server's /logs stream (newline-delimited lines with a
// replay of recent ones) and hands the lines on in batches, reconnecting with backoff when the
// stream ends or fails. Never blocks: the reply is read as it arrives.
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include "net/line_splitter.hpp"

namespace prodmcp::console {

class LogStreamClient : public QObject {
  Q_OBJECT
 public:
  explicit LogStreamClient(QObject* parent = nullptr);
  ~LogStreamClient() override;

  // Lines replayed on (re)connect; after a reconnect the replay may repeat lines already seen.
  void set_replay_lines(int lines) { replay_lines_ = lines; }
  // An empty URL disconnects.
  void set_admin_url(QUrl const& admin_url);
  bool connected() const { return connected_; }

 signals:
  void output_lines(QList<QByteArray> const& lines);
  void connection_changed(bool connected, QString const& detail);

 private:
  void open();
  void read();
  void on_finished();

  QNetworkAccessManager network_;
  QPointer<QNetworkReply> reply_;
  QTimer reconnect_;
  QUrl admin_url_;
  LineSplitter lines_;
  QByteArray refusal_;  // the body of a non-200 answer
  int replay_lines_ = 500;
  int backoff_ms_ = 500;
  bool connected_ = false;
};

}  // namespace prodmcp::console
