#pragma once
// The config editor's form: one field per key the server describes, grouped by section, each
// showing what the document sets (or, greyed, the default the profile gives). Editing a field
// edits the document's text in place; a field whose key has a problem is marked with it.
#include <QComboBox>
#include <QHash>
#include <QLineEdit>
#include <QScrollArea>
#include <QToolButton>

#include "config_editor/config_document.hpp"
#include "config_editor/config_schema.hpp"

namespace prodmcp::console {

class ConfigForm : public QScrollArea {
  Q_OBJECT
 public:
  ConfigForm(ConfigDocument& document, QWidget* parent = nullptr);

  // Builds the fields anew for these keys.
  void set_schema(ConfigSchema const& schema);
  // The editor of a key: a QLineEdit, or a QComboBox for booleans and keys with choices.
  QWidget* field(QString const& key) const;
  // What the field says is wrong with it (empty when nothing).
  QString field_problem(QString const& key) const;

 private:
  struct Field {
    KeyDescription key;
    QLineEdit* line = nullptr;
    QComboBox* combo = nullptr;
    QToolButton* reset = nullptr;
    QString rejected;  // why the form could not write what was typed (until the field changes)
    QString checked;   // what the server's checker says of the key
  };
  void refresh();
  void edited(Field& field, QString const& text);
  void show_problem(Field& field);

  ConfigDocument& document_;
  QHash<QString, Field> fields_;
  QStringList order_;
};

}  // namespace prodmcp::console
