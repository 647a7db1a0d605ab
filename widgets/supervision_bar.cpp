#include "supervision_bar.hpp"

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include "palette.hpp"

namespace prodmcp::console {

namespace {

constexpr int kExitTextWidth = 420;  // pixels; longer reasons are elided, whole in the tooltip

QColor state_color(SupervisedProcess::State state) {
  switch (state) {
    case SupervisedProcess::State::kRunning: return palette::kGood;
    case SupervisedProcess::State::kStarting:
    case SupervisedProcess::State::kStopping:
    case SupervisedProcess::State::kBackoff: return palette::kWarn;
    case SupervisedProcess::State::kFailed: return palette::kBad;
    case SupervisedProcess::State::kStopped: return palette::kIdle;
  }
  return palette::kIdle;
}

QString duration_text(qint64 milliseconds) {
  qint64 const seconds = milliseconds / 1000;
  return QStringLiteral("%1:%2:%3")
      .arg(seconds / 3600)
      .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
      .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QLabel* field(QString const& caption, QLabel* value, QHBoxLayout* row) {
  auto* box = new QVBoxLayout;
  box->setSpacing(0);
  auto* title = new QLabel(caption);
  title->setStyleSheet("color: palette(mid); font-size: 8pt;");
  box->addWidget(title);
  box->addWidget(value);
  row->addLayout(box);
  return value;
}

}  // namespace

SupervisionBar::SupervisionBar(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(8, 4, 8, 4);
  state_label_ = field(tr("Server"), new QLabel, row);
  // What the labels say may be long (a config file name, the server's own error): they take the
  // space there is, never widen the window, and their tooltips carry the whole text.
  state_label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  state_label_->setMinimumWidth(140);
  target_label_ = field(session.supervisor() ? tr("Endpoints") : tr("Attached to"), new QLabel("–"), row);
  target_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  pid_label_ = field(tr("PID"), new QLabel("–"), row);
  uptime_label_ = field(tr("Uptime"), new QLabel("–"), row);
  restarts_label_ = field(tr("Restarts"), new QLabel("0"), row);
  exit_label_ = field(tr("Last exit"), new QLabel("–"), row);
  exit_label_->setWordWrap(false);  // one line: the rest is in the tooltip
  exit_label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  exit_label_->setMinimumWidth(90);
  exit_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  row->addStretch(1);

  if (auto* supervisor = session.supervisor()) {
    // Config file and profile apply at the next start or restart.
    config_button_ = new QPushButton;
    config_button_->setToolTip(tr("TOML config file for the next start (Shift-click: back to the embedded defaults)"));
    row->addWidget(config_button_);
    connect(config_button_, &QPushButton::clicked, this, [this] {
      if (QApplication::keyboardModifiers() & Qt::ShiftModifier) return choose_config_file({});
      auto const path = QFileDialog::getOpenFileName(this, tr("Config file for the server"), QString(),
                                                     tr("TOML (*.toml);;All files (*)"));
      if (!path.isEmpty()) choose_config_file(path);
    });
    profile_box_ = new QComboBox;
    profile_box_->addItem(tr("profile: default"), QString());
    for (auto const* profile : {"development", "staging", "production"}) profile_box_->addItem(profile, profile);
    profile_box_->setCurrentIndex(std::max(0, profile_box_->findData(supervisor->options().profile)));
    profile_box_->setToolTip(tr("Profile for the next start"));
    row->addWidget(profile_box_);
    connect(profile_box_, &QComboBox::currentIndexChanged, this, [supervisor, this] {
      auto options = supervisor->options();
      options.profile = profile_box_->currentData().toString();
      session_.set_launch_options(options);
      refresh();
    });
    policy_box_ = new QComboBox;
    for (auto mode : {RestartMode::kNever, RestartMode::kOnFailure, RestartMode::kAlways})
      policy_box_->addItem(QString::fromStdString(restart_mode_name(mode)), int(mode));
    policy_box_->setCurrentIndex(int(supervisor->server().restart_options().mode));
    policy_box_->setToolTip(tr("Restart policy after the server exits on its own"));
    row->addWidget(new QLabel(tr("Restart:")));
    row->addWidget(policy_box_);
    connect(policy_box_, &QComboBox::currentIndexChanged, this, [supervisor, this] {
      auto options = supervisor->server().restart_options();
      options.mode = RestartMode(policy_box_->currentData().toInt());
      supervisor->server().set_restart_options(options);
    });
    start_button_ = new QPushButton(tr("Start"));
    stop_button_ = new QPushButton(tr("Stop"));
    restart_button_ = new QPushButton(tr("Restart"));
    for (auto* button : {start_button_, stop_button_, restart_button_}) row->addWidget(button);
    connect(start_button_, &QPushButton::clicked, supervisor, &ServerSupervisor::start);
    connect(stop_button_, &QPushButton::clicked, supervisor, &ServerSupervisor::stop);
    connect(restart_button_, &QPushButton::clicked, supervisor, &ServerSupervisor::restart);
    connect(&supervisor->server(), &SupervisedProcess::state_changed, this, &SupervisionBar::refresh);
  }
  connect(&session, &ConsoleSession::endpoints_changed, this, &SupervisionBar::refresh);
  connect(&session.health(), &HealthPoller::updated, this, &SupervisionBar::refresh);
  tick_.setInterval(1000);
  connect(&tick_, &QTimer::timeout, this, &SupervisionBar::refresh);
  tick_.start();
  refresh();
}

void SupervisionBar::choose_config_file(QString const& path) {
  auto* supervisor = session_.supervisor();
  if (!supervisor) return;
  auto options = supervisor->options();
  options.config_file = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
  session_.set_launch_options(options);
  refresh();
}

void SupervisionBar::refresh() {
  // Loopback needs no host: ":8080" (the tooltip has the URLs).
  auto const authority = [](QUrl const& url) {
    return url.host() == QLatin1String("127.0.0.1") ? QStringLiteral(":%1").arg(url.port())
                                                    : QStringLiteral("%1:%2").arg(url.host()).arg(url.port());
  };
  bool const up = !session_.admin_url().isEmpty();
  target_label_->setText(up ? tr("MCP %1 · admin %2").arg(authority(session_.mcp_url()), authority(session_.admin_url()))
                            : QStringLiteral("–"));
  target_label_->setToolTip(up ? session_.mcp_url().toString() + "\n" + session_.admin_url().toString() : QString());
  auto* supervisor = session_.supervisor();
  if (session_.options().replaying()) {
    auto const& replayer = session_.replayer();
    state_label_->setText(palette::badge(replayer.playing() ? tr("replay ×%1").arg(replayer.speed())
                                                            : tr("replay ended"),
                                         replayer.playing() ? palette::kAccent : palette::kIdle));
    target_label_->setText(tr("%1 · %2").arg(QFileInfo(session_.options().replay_file).fileName(),
                                             QDateTime::fromMSecsSinceEpoch(replayer.now_ms()).toString("yyyy-MM-dd HH:mm:ss")));
    target_label_->setToolTip(session_.options().replay_file);
    return;
  }
  if (!supervisor) {
    bool const live = session_.health().live();
    state_label_->setText(palette::badge(live ? tr("reachable") : tr("unreachable"), live ? palette::kGood : palette::kBad));
    return;
  }
  auto const& server = supervisor->server();
  auto const state = server.state();
  QString state_text = SupervisedProcess::state_name(state);
  if (!supervisor->options().profile.isEmpty()) state_text += " · " + supervisor->options().profile;
  if (!supervisor->options().config_file.isEmpty()) state_text += " · " + QFileInfo(supervisor->options().config_file).fileName();
  state_label_->setText(palette::badge(state_text, state_color(state)));
  state_label_->setToolTip(state_text);
  pid_label_->setText(server.pid() ? QString::number(server.pid()) : QStringLiteral("–"));
  uptime_label_->setText(server.uptime_ms() ? duration_text(server.uptime_ms()) : QStringLiteral("–"));
  restarts_label_->setText(QString::number(server.restarts()));
  auto const reason = server.last_exit_reason();
  exit_label_->setText(reason.isEmpty() ? QStringLiteral("–")
                                        : exit_label_->fontMetrics().elidedText(reason, Qt::ElideRight, kExitTextWidth));
  // The whole reason, then the server's last lines.
  auto const recent = server.recent_output();
  exit_label_->setToolTip((reason.isEmpty() ? QString() : reason + "\n\n") + recent.mid(std::max<qsizetype>(recent.size() - 10, 0)).join('\n'));
  bool const active = state == SupervisedProcess::State::kStarting || state == SupervisedProcess::State::kRunning ||
                      state == SupervisedProcess::State::kStopping;
  start_button_->setEnabled(!active);
  stop_button_->setEnabled(active || state == SupervisedProcess::State::kBackoff);
  restart_button_->setEnabled(state == SupervisedProcess::State::kRunning);
  auto const& config_file = supervisor->options().config_file;
  config_button_->setText(config_button_->fontMetrics().elidedText(
      config_file.isEmpty() ? tr("Config: built-in") : tr("Config: %1").arg(QFileInfo(config_file).fileName()),
      Qt::ElideMiddle, 140));
  config_button_->setToolTip(tr("%1\nTOML config file for the next start (Shift-click: back to the embedded defaults)")
                                 .arg(config_file.isEmpty() ? tr("The embedded defaults") : config_file));
  // The walkthrough and the config editor's apply choose these too.
  if (!profile_box_->view()->isVisible()) {
    QSignalBlocker blocker(profile_box_);
    profile_box_->setCurrentIndex(std::max(0, profile_box_->findData(supervisor->options().profile)));
  }
}

}  // namespace prodmcp::console
