#pragma once
// Two configurations side by side, key by key: the edited document against the running server's
// effective config (what an apply would change, and how), or the document under two profiles.
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

#include "config_editor/config_schema.hpp"

namespace prodmcp::console {

struct ComparisonRow {
  enum class Status {
    kSame,
    kDiffers,      // two profiles disagree
    kReload,       // an apply changes it at once (SIGHUP)
    kRestart,      // an apply changes it only with a restart
    kOverridden,   // differs, but a flag or the environment sets the running value, so the file cannot
    kPending,      // a reload read it, the server waits for a restart to use it
  };
  QString key;
  QString left, left_origin;
  QString right, right_origin;
  Status status = Status::kSame;
  bool secret = false;
};

QString comparison_status_text(ComparisonRow::Status status);

// A key's value in print-config's JSON (a document's effective config, or the server's GET /config);
// undefined when the key is not there.
QJsonValue config_value(QJsonObject const& config, QString const& key);

// The document's effective config (`document`) against the server's GET /config (`running`).
QList<ComparisonRow> compare_with_running(QJsonObject const& document, QJsonObject const& running,
                                          ConfigSchema const& schema);
// One document's effective config under two profiles.
QList<ComparisonRow> compare_profiles(QJsonObject const& left, QJsonObject const& right, ConfigSchema const& schema);

class ConfigComparisonModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kKey, kLeft, kRight, kStatus, kColumnCount };
  enum Role { kStatusRole = Qt::UserRole + 1 };  // int: the row's ComparisonRow::Status

  explicit ConfigComparisonModel(QObject* parent = nullptr);

  void set_titles(QString left, QString right);
  void set_rows(QList<ComparisonRow> rows);
  // Rows whose status is not kSame only.
  void set_only_differences(bool only);
  int difference_count() const;
  QList<ComparisonRow> const& shown() const { return shown_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  void refilter();

  QString left_title_, right_title_;
  QList<ComparisonRow> rows_;
  QList<ComparisonRow> shown_;
  bool only_differences_ = false;
};

}  // namespace prodmcp::console
