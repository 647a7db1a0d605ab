#include "walkthrough_page.hpp"

#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QVBoxLayout>

#include "palette.hpp"
#include "status_tint_delegate.hpp"

namespace prodmcp::console {

WalkthroughPage::WalkthroughPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  steps_box_ = new QGroupBox;
  auto* steps_box = steps_box_;
  auto* grid = new QGridLayout(steps_box);
  grid->setColumnStretch(1, 1);
  auto const& steps = session.walkthrough().steps();
  for (int i = 0; i < int(steps.size()); ++i) {
    auto* title = new QLabel;
    title->setWordWrap(true);
    title->setFixedWidth(170);
    auto* explanation = new QLabel;
    explanation->setWordWrap(true);
    explanation->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    explanation->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* status = new QLabel;
    status->setTextFormat(Qt::RichText);
    status->setWordWrap(true);
    status->setFixedWidth(240);
    auto* button = new QPushButton;
    button->setEnabled(session.supervisor() != nullptr);
    grid->addWidget(title, i, 0, Qt::AlignTop);
    grid->addWidget(explanation, i, 1);
    grid->addWidget(status, i, 2, Qt::AlignTop);
    grid->addWidget(button, i, 3, Qt::AlignTop);
    buttons_ << button;
    statuses_ << status;
    titles_ << title;
    explanations_ << explanation;
    connect(button, &QPushButton::clicked, &session.walkthrough(), [&session, i] { session.walkthrough().run(i); });
  }
  layout->addWidget(steps_box);

  score_ = new QLabel;
  score_->setTextFormat(Qt::RichText);
  layout->addWidget(score_);
  checklist_ = new QTableView;
  checklist_->setModel(&session.readiness());
  checklist_->verticalHeader()->hide();
  checklist_->setWordWrap(false);
  checklist_->setSelectionBehavior(QAbstractItemView::SelectRows);
  checklist_->horizontalHeader()->setStretchLastSection(true);
  checklist_->setColumnWidth(ReadinessChecklist::kPillar, 260);
  checklist_->setColumnWidth(ReadinessChecklist::kState, 70);
  checklist_->setColumnWidth(ReadinessChecklist::kEvidence, 440);
  checklist_->setItemDelegate(new StatusTintDelegate(ReadinessChecklist::kStateRole, [](QVariant const& value) {
    switch (static_cast<ReadinessItem::State>(value.toInt())) {
      case ReadinessItem::State::kMet: return palette::kGood;
      case ReadinessItem::State::kNotMet: return palette::kBad;
      default: return palette::kIdle;
    }
  }, checklist_));
  layout->addWidget(checklist_, 1);

  connect(&session.walkthrough(), &Walkthrough::changed, this, &WalkthroughPage::show_steps);
  connect(&session.readiness(), &ReadinessChecklist::score_changed, this, &WalkthroughPage::show_score);
  show_steps();
  show_score();
}

void WalkthroughPage::show_steps() {
  auto const& walkthrough = session_.walkthrough();
  steps_box_->setTitle(walkthrough.about_your_server()
                           ? tr("From prototype to production: your server, behind the gateway")
                           : tr("From prototype to production, with the real server"));
  auto const& steps = walkthrough.steps();
  for (int i = 0; i < int(steps.size()); ++i) {
    titles_[i]->setText(QStringLiteral("<b>%1</b>").arg(steps[i].title.toHtmlEscaped()));
    explanations_[i]->setText(steps[i].explanation);
    buttons_[i]->setText(steps[i].action);
    statuses_[i]->setText((steps[i].done ? palette::badge(tr("done"), palette::kGood)
                                         : palette::badge(tr("to do"), palette::kIdle)) +
                          QStringLiteral(" ") + steps[i].status.toHtmlEscaped());
  }
}

void WalkthroughPage::show_score() {
  auto const score = session_.readiness().score();
  auto const color = score >= 90 ? palette::kGood : score >= 60 ? palette::kWarn : palette::kBad;
  score_->setText(QStringLiteral("<span style='font-size:15pt'>%1 %2</span> &nbsp; %3")
                      .arg(tr("Production readiness"), palette::badge(QStringLiteral("%1%").arg(score), color),
                           tr("each pillar judged from the running server; unknown ones do not count").toHtmlEscaped()));
}

}  // namespace prodmcp::console
