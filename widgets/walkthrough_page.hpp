#pragma once
// "Prototype to production": the guided walkthrough's steps (each with its button and what the
// console sees of it) and the production-readiness checklist with its score.
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class WalkthroughPage : public QWidget {
  Q_OBJECT
 public:
  explicit WalkthroughPage(ConsoleSession& session, QWidget* parent = nullptr);

  QPushButton* step_button(int step) const { return buttons_.value(step); }
  QLabel* step_status(int step) const { return statuses_.value(step); }
  QLabel* score_label() const { return score_; }
  QTableView* checklist_view() const { return checklist_; }

 private:
  void show_steps();
  void show_score();

  ConsoleSession& session_;
  QList<QPushButton*> buttons_;
  QList<QLabel*> statuses_;
  QList<QLabel*> titles_;
  QList<QLabel*> explanations_;
  QGroupBox* steps_box_;
  QLabel* score_;
  QTableView* checklist_;
};

}  // namespace prodmcp::console
