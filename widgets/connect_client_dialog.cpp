#include "connect_client_dialog.hpp"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "connect/client_setup.hpp"

namespace prodmcp::console {

ConnectClientDialog::ConnectClientDialog(QUrl const& mcp_url, bool needs_token, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Connect a client to %1").arg(mcp_url.toString()));
  resize(760, 480);
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(needs_token ? tr("The server requires a bearer token: put one of its clients' tokens where "
                                            "%1 stands (Ship it… writes new ones; auth.clients holds their hashes).")
                                             .arg(QLatin1String(kTokenPlaceholder))
                                       : tr("The server asks no token (auth is off): anyone who reaches %1 can call it.")
                                             .arg(mcp_url.toString()));
  intro->setWordWrap(true);
  layout->addWidget(intro);
  tabs_ = new QTabWidget;
  for (auto const& setup : client_setups(mcp_url, needs_token)) {
    auto* page = new QWidget;
    auto* page_layout = new QVBoxLayout(page);
    auto* where = new QLabel(setup.where);
    where->setWordWrap(true);
    page_layout->addWidget(where);
    auto* text = new QPlainTextEdit(setup.text);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setObjectName(QStringLiteral("setup_text"));
    page_layout->addWidget(text, 1);
    tabs_->addTab(page, setup.client);
  }
  layout->addWidget(tabs_, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  auto* copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
  connect(copy, &QPushButton::clicked, this, &ConnectClientDialog::copy_current);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
}

QString ConnectClientDialog::text_for(QString const& client) const {
  for (int i = 0; i < tabs_->count(); ++i)
    if (tabs_->tabText(i) == client)
      return tabs_->widget(i)->findChild<QPlainTextEdit*>(QStringLiteral("setup_text"))->toPlainText();
  return {};
}

void ConnectClientDialog::copy_current() {
  QGuiApplication::clipboard()->setText(text_for(tabs_->tabText(tabs_->currentIndex())));
}

}  // namespace prodmcp::console
