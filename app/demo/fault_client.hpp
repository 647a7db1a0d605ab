#pragma once
// The demo bench's fault switches: reads and sets the server's /faults (added latency, error rate,
// the crashing tool) on its admin port. The server refuses them in the production profile and says so.
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

namespace prodmcp::console {

struct FaultState {
  bool known = false;    // an answer has come
  bool allowed = false;  // false in the production profile
  qint64 latency_ms = 0;
  double error_rate = 0;
  bool crash_tool = false;  // simulate_crash is armed
  QString problem;  // why the last request failed (e.g. refused in production), else empty
};

class FaultClient : public QObject {
  Q_OBJECT
 public:
  explicit FaultClient(QObject* parent = nullptr);
  void set_admin_url(QUrl const& admin_url);
  FaultState const& state() const { return state_; }

 public slots:
  void refresh();
  void set_faults(qint64 latency_ms, double error_rate);
  // Arms (or disarms) the server's simulate_crash tool.
  void arm_crash_tool(bool armed);

 signals:
  void changed(prodmcp::console::FaultState const& state);

 private:
  void put(QJsonObject const& body);
  void take_answer(class QNetworkReply* reply);

  QNetworkAccessManager network_;
  QUrl url_;
  FaultState state_;
};

}  // namespace prodmcp::console
