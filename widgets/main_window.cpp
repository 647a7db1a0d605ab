#include "main_window.hpp"

#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace {
QString badge(QString const& text, QString const& color) {
  return QStringLiteral("<span style='background:%1;color:white;padding:2px 8px;border-radius:4px'>&nbsp;%2&nbsp;"
                        "</span>")
      .arg(color, text.toHtmlEscaped());
}

QString state_color(ServerProcess::State state) {
  switch (state) {
    case ServerProcess::State::Running: return "#2e7d32";
    case ServerProcess::State::Starting:
    case ServerProcess::State::Stopping: return "#ef6c00";
    case ServerProcess::State::Crashed: return "#c62828";
    case ServerProcess::State::Stopped: return "#616161";
  }
  return "#616161";
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("ProdMCP Console"));

  auto* server_box = new QGroupBox(tr("Server"));
  auto* form = new QFormLayout(server_box);
  state_label_ = new QLabel;
  pid_label_ = new QLabel("–");
  url_label_ = new QLabel("–");
  url_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  uptime_label_ = new QLabel("–");
  exit_label_ = new QLabel("–");
  probe_label_ = new QLabel(tr("not probed yet"));
  form->addRow(tr("State"), state_label_);
  form->addRow(tr("PID"), pid_label_);
  form->addRow(tr("MCP endpoint"), url_label_);
  form->addRow(tr("Uptime"), uptime_label_);
  form->addRow(tr("MCP probe"), probe_label_);
  form->addRow(tr("Last exit"), exit_label_);

  start_button_ = new QPushButton(tr("Start"));
  stop_button_ = new QPushButton(tr("Stop"));
  restart_button_ = new QPushButton(tr("Restart"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_button_);
  buttons->addWidget(stop_button_);
  buttons->addWidget(restart_button_);
  buttons->addStretch();
  form->addRow(buttons);

  auto* tools_box = new QGroupBox(tr("Tools offered (live tools/list)"));
  auto* tools_layout = new QVBoxLayout(tools_box);
  tool_list_ = new QListWidget;
  tools_layout->addWidget(tool_list_);

  auto* top = new QWidget;
  auto* top_layout = new QHBoxLayout(top);
  top_layout->addWidget(server_box, 3);
  top_layout->addWidget(tools_box, 2);

  auto* log_box = new QGroupBox(tr("Server log (structured JSON lines)"));
  auto* log_layout = new QVBoxLayout(log_box);
  log_view_ = new QPlainTextEdit;
  log_view_->setReadOnly(true);
  log_view_->setMaximumBlockCount(10'000);
  log_view_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  log_layout->addWidget(log_view_);

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(top);
  splitter->addWidget(log_box);
  splitter->setStretchFactor(1, 1);
  setCentralWidget(splitter);

  connect(start_button_, &QPushButton::clicked, &server_, &ServerProcess::start);
  connect(stop_button_, &QPushButton::clicked, &server_, &ServerProcess::stop);
  connect(restart_button_, &QPushButton::clicked, this, [this] {
    restart_pending_ = true;
    server_.stop();
  });
  connect(&server_, &ServerProcess::stateChanged, this, &MainWindow::showState);
  connect(&server_, &ServerProcess::logLine, this, [this](QString const& line) { log_view_->appendPlainText(line); });
  connect(&server_, &ServerProcess::mcpUrlChanged, this, [this](QUrl const& url) {
    url_label_->setText(url.toString());
    probe_.probe(url);
  });
  connect(&probe_, &McpProbe::finished, this, &MainWindow::showProbe);
  probe_timer_.setInterval(5000);
  connect(&probe_timer_, &QTimer::timeout, this, [this] {
    if (server_.state() == ServerProcess::State::Running) probe_.probe(server_.mcpUrl());
  });
  probe_timer_.start();
  uptime_timer_.setInterval(1000);
  connect(&uptime_timer_, &QTimer::timeout, this, &MainWindow::refreshUptime);
  uptime_timer_.start();
  showState(server_.state());
}

void MainWindow::showState(ServerProcess::State state) {
  state_label_->setText(badge(ServerProcess::stateName(state), state_color(state)));
  pid_label_->setText(state == ServerProcess::State::Running ? QString::number(server_.pid()) : "–");
  bool const active = state == ServerProcess::State::Starting || state == ServerProcess::State::Running ||
                      state == ServerProcess::State::Stopping;
  start_button_->setEnabled(!active);
  stop_button_->setEnabled(state == ServerProcess::State::Running || state == ServerProcess::State::Starting);
  restart_button_->setEnabled(state == ServerProcess::State::Running);
  if (!server_.lastExitReason().isEmpty()) exit_label_->setText(server_.lastExitReason());
  if (!active) {
    url_label_->setText("–");
    probe_label_->setText(tr("server not running"));
    tool_list_->clear();
  }
  statusBar()->showMessage(tr("Server %1").arg(ServerProcess::stateName(state)));
  if (restart_pending_ && (state == ServerProcess::State::Stopped || state == ServerProcess::State::Crashed)) {
    restart_pending_ = false;
    server_.start();
  }
  refreshUptime();
}

void MainWindow::showProbe(McpProbe::Result const& result) {
  if (!result.ok) {
    probe_label_->setText(badge(tr("failing"), "#c62828") + "  " + result.error.toHtmlEscaped());
    return;
  }
  probe_label_->setText(badge(tr("serving MCP"), "#2e7d32") +
                        tr("  tools/list in %1 ms, %2 tools").arg(result.latency_ms).arg(result.tools.size()));
  tool_list_->clear();
  tool_list_->addItems(result.tools);
}

void MainWindow::refreshUptime() {
  if (server_.state() != ServerProcess::State::Running) {
    uptime_label_->setText("–");
    return;
  }
  qint64 const seconds = server_.startedAt().secsTo(QDateTime::currentDateTimeUtc());
  uptime_label_->setText(QStringLiteral("%1:%2:%3")
                             .arg(seconds / 3600)
                             .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
                             .arg(seconds % 60, 2, 10, QLatin1Char('0')));
}
