#include "config_form.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>

namespace prodmcp::console {

namespace {

// The value a key has when the document does not set it: the profile's, else the default.
QString default_text(KeyDescription const& key, QString const& profile) {
  auto const value = key.profile_defaults.value(profile.isEmpty() ? QStringLiteral("development") : profile,
                                                key.default_value);
  return ConfigDocument::form_text(value);
}

QString tooltip(KeyDescription const& key) {
  QString text = QStringLiteral("<b>%1</b> (%2)<br>%3<br>environment: <tt>%4</tt>")
                     .arg(key.key, key.type, key.doc.toHtmlEscaped(), key.env);
  text += key.reloadable ? QObject::tr("<br>applies on reload (SIGHUP)") : QObject::tr("<br>needs a restart");
  if (key.min || key.max)
    text += QObject::tr("<br>range %1 to %2")
                .arg(key.min ? QString::number(*key.min) : QStringLiteral("-"),
                     key.max ? QString::number(*key.max) : QStringLiteral("-"));
  return text;
}

}  // namespace

ConfigForm::ConfigForm(ConfigDocument& document, QWidget* parent) : QScrollArea(parent), document_(document) {
  setWidgetResizable(true);
  setFrameShape(QFrame::NoFrame);
  connect(&document_, &ConfigDocument::changed, this, &ConfigForm::refresh);
}

void ConfigForm::set_schema(ConfigSchema const& schema) {
  fields_.clear();
  order_.clear();
  auto* content = new QWidget;
  auto* layout = new QVBoxLayout(content);
  for (auto const& section : schema.sections()) {
    auto* box = new QGroupBox(QStringLiteral("[%1]").arg(section));
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (auto const& key : schema.keys()) {
      if (key.section != section) continue;
      Field field;
      field.key = key;
      QWidget* editor = nullptr;
      if (key.type == QLatin1String("boolean") || !key.choices.isEmpty()) {
        field.combo = new QComboBox;
        field.combo->addItem(QString());  // "not set": the default applies
        field.combo->addItems(key.type == QLatin1String("boolean") ? QStringList{"true", "false"} : key.choices);
        editor = field.combo;
      } else {
        field.line = new QLineEdit;
        field.line->setClearButtonEnabled(true);
        editor = field.line;
      }
      editor->setObjectName(key.key);
      editor->setToolTip(tooltip(key));
      field.reset = new QToolButton;
      field.reset->setText(tr("Default"));
      field.reset->setToolTip(tr("Remove %1 from the file, so the default applies").arg(key.key));
      editor->setFixedWidth(340);
      // The key's documentation beside its field, so the form reads without hovering.
      auto* doc = new QLabel(key.doc + (key.reloadable ? QString() : tr(" (restart)")));
      doc->setWordWrap(true);
      doc->setStyleSheet(QStringLiteral("color: palette(mid);"));
      auto* row = new QWidget;
      auto* row_layout = new QHBoxLayout(row);
      row_layout->setContentsMargins(0, 0, 0, 0);
      row_layout->addWidget(editor);
      row_layout->addWidget(field.reset);
      row_layout->addSpacing(8);
      row_layout->addWidget(doc, 1);
      auto* label = new QLabel(key.name);
      label->setToolTip(tooltip(key));
      form->addRow(label, row);
      auto const name = key.key;
      fields_.insert(name, field);
      order_ << name;
      auto& stored = fields_[name];
      if (stored.line) connect(stored.line, &QLineEdit::textEdited, this, [this, name](QString const& text) { edited(fields_[name], text); });
      if (stored.combo)
        connect(stored.combo, &QComboBox::activated, this, [this, name](int index) {
          edited(fields_[name], index == 0 ? QString() : fields_[name].combo->itemText(index));
        });
      connect(stored.reset, &QToolButton::clicked, this, [this, name] { edited(fields_[name], QString()); });
    }
    layout->addWidget(box);
  }
  layout->addStretch();
  setWidget(content);
  refresh();
}

QWidget* ConfigForm::field(QString const& key) const {
  auto const it = fields_.find(key);
  if (it == fields_.end()) return nullptr;
  return it->line ? static_cast<QWidget*>(it->line) : it->combo;
}

QString ConfigForm::field_problem(QString const& key) const {
  auto const field = fields_.value(key);
  return field.rejected.isEmpty() ? field.checked : field.rejected;
}

void ConfigForm::edited(Field& field, QString const& text) {
  QString problem;
  if (text.isEmpty()) {
    if (document_.written(field.key.key) && !document_.remove(field.key.key))
      problem = tr("%1 shares its line with other keys: remove it in the text").arg(field.key.key);
  } else {
    problem = document_.set_value(field.key.key, text);
  }
  field.rejected = problem;
  show_problem(field);
}

void ConfigForm::refresh() {
  QHash<QString, QString> problems;
  for (auto const& problem : document_.problems())
    if (!problem.key.isEmpty() && !problems.contains(problem.key)) problems.insert(problem.key, problem.text());
  for (auto const& name : order_) {
    auto& field = fields_[name];
    auto const written = document_.written(name);
    auto const fallback = default_text(field.key, document_.profile());
    bool const editable = document_.editable(name);
    if (field.line) {
      field.line->setPlaceholderText(fallback.isEmpty() ? tr("(empty)") : tr("default: %1").arg(fallback));
      // The field being typed in keeps what was typed (the document may write it differently).
      if (!field.line->hasFocus() && field.line->text() != written.value_or(QString())) {
        field.line->setText(written.value_or(QString()));
        field.rejected.clear();
      }
      field.line->setReadOnly(!editable);
    } else {
      field.combo->setItemText(0, tr("default (%1)").arg(fallback));
      field.combo->setCurrentIndex(written ? std::max(0, field.combo->findText(*written)) : 0);
      field.rejected.clear();
    }
    field.reset->setEnabled(written.has_value() && editable);
    field.checked = problems.value(name);
    show_problem(field);
  }
}

void ConfigForm::show_problem(Field& field) {
  auto const problem = field.rejected.isEmpty() ? field.checked : field.rejected;
  auto* editor = field.line ? static_cast<QWidget*>(field.line) : field.combo;
  editor->setStyleSheet(problem.isEmpty() ? QString() : QStringLiteral("border: 2px solid #c62828;"));
  editor->setToolTip(problem.isEmpty() ? tooltip(field.key) : problem + QStringLiteral("<hr>") + tooltip(field.key));
}

}  // namespace prodmcp::console
