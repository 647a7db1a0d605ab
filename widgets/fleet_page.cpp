#include "fleet_page.hpp"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

#include "palette.hpp"

namespace prodmcp::console {
namespace {

// The alert column as a coloured pill; the score as a bar.
class FleetDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, QStyleOptionViewItem const& option, QModelIndex const& index) const override {
    if (index.column() == FleetMonitor::kScore) {
      int const score = index.data(FleetMonitor::kScoreRole).toInt();
      QStyledItemDelegate::paint(painter, option, QModelIndex());
      if (score < 0) return;
      QRect bar = option.rect.adjusted(4, 6, -40, -6);
      painter->fillRect(bar, option.palette.color(QPalette::Midlight));
      bar.setWidth(bar.width() * score / 100);
      painter->fillRect(bar, score >= 80 ? palette::kGood : score >= 50 ? palette::kWarn : palette::kBad);
      painter->drawText(option.rect.adjusted(0, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter, QString::number(score));
      return;
    }
    if (index.column() == FleetMonitor::kAlert) {
      auto const alert = FleetAlert(index.data(FleetMonitor::kAlertRole).toInt());
      QStyleOptionViewItem copy = option;
      if (alert != FleetAlert::kNone) {
        copy.palette.setColor(QPalette::Text, alert == FleetAlert::kHigh ? palette::kBad : palette::kWarn);
        copy.font.setBold(true);
      }
      QStyledItemDelegate::paint(painter, copy, index);
      return;
    }
    QStyledItemDelegate::paint(painter, option, index);
  }
};

}  // namespace

FleetPage::FleetPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("Each server is checked every %1 s (/health and /ready): a medium alert after %2 failed "
                              "checks in a row, a high one after %3.")
                               .arg(session.fleet().interval_ms() / 1000)
                               .arg(FleetMonitor::kMediumAfter)
                               .arg(FleetMonitor::kHighAfter));
  intro->setWordWrap(true);
  layout->addWidget(intro);
  table_ = new QTableView;
  table_->setModel(&session.fleet());
  table_->setItemDelegate(new FleetDelegate(table_));
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  layout->addWidget(table_, 1);

  auto* buttons = new QHBoxLayout;
  auto* add = new QPushButton(tr("Add server…"));
  auto* remove = new QPushButton(tr("Remove"));
  auto* check = new QPushButton(tr("Check now"));
  buttons->addWidget(add);
  buttons->addWidget(remove);
  buttons->addStretch();
  buttons->addWidget(check);
  layout->addLayout(buttons);
  connect(add, &QPushButton::clicked, this, &FleetPage::add_server);
  connect(remove, &QPushButton::clicked, this, [this] {
    auto const row = table_->currentIndex().row();
    if (row >= 0 && !session_.fleet().members()[std::size_t(row)].target.supervised) session_.fleet().remove(row);
  });
  connect(check, &QPushButton::clicked, &session.fleet(), &FleetMonitor::check_all);
}

void FleetPage::add_server() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Watch another server"));
  auto* form = new QFormLayout(&dialog);
  auto* name = new QLineEdit;
  auto* environment = new QComboBox;
  environment->addItems({"development", "staging", "production"});
  environment->setEditable(true);
  auto* admin = new QLineEdit("http://127.0.0.1:9090");
  auto* mcp = new QLineEdit("http://127.0.0.1:8080/mcp");
  form->addRow(tr("Name"), name);
  form->addRow(tr("Environment"), environment);
  form->addRow(tr("Admin URL"), admin);
  form->addRow(tr("MCP URL"), mcp);
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(box);
  connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  QUrl const admin_url = QUrl::fromUserInput(admin->text());
  if (name->text().trimmed().isEmpty() || !admin_url.isValid()) return;
  session_.fleet().add({name->text().trimmed(), environment->currentText(), admin_url, QUrl::fromUserInput(mcp->text()), false});
}

}  // namespace prodmcp::console
