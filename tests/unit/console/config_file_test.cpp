// The config file on disk: atomic save with a backup of the previous version, and changes made by
// others noticed; and the comparisons the editor shows (under QAbstractItemModelTester).
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "config_editor/config_comparison.hpp"
#include "config_editor/config_file.hpp"
#include "support/text_files.hpp"

using namespace prodmcp::console;
using prodmcp::testing::read_text_file;
using prodmcp::testing::write_text_file;

namespace {

QJsonObject config_of(std::initializer_list<std::tuple<char const*, QJsonValue, char const*>> keys,
                      QJsonArray restart_required = {}) {
  QJsonArray list;
  for (auto const& [key, value, origin] : keys) list.append(QJsonObject{{"key", key}, {"value", value}, {"origin", origin}});
  return QJsonObject{{"keys", list}, {"restart_required", restart_required}};
}

}  // namespace

TEST(ConfigFile, SavesAtomicallyAndKeepsThePreviousVersion) {
  QTemporaryDir dir;
  auto const path = dir.filePath("prodmcp.toml");
  ConfigFile file;
  EXPECT_EQ(file.open(path), "");  // not there yet: an empty document
  QString error;
  ASSERT_TRUE(file.save("[cache]\nttl_s = 60\n", &error)) << error.toStdString();
  EXPECT_EQ(read_text_file(path), "[cache]\nttl_s = 60\n");
  EXPECT_FALSE(QFile::exists(ConfigFile::backup_path(path)));
  ASSERT_TRUE(file.save("[cache]\nttl_s = 90\n", &error));
  EXPECT_EQ(read_text_file(path), "[cache]\nttl_s = 90\n");
  EXPECT_EQ(read_text_file(ConfigFile::backup_path(path)), "[cache]\nttl_s = 60\n");
  EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 2);  // no temporary file left behind
}

TEST(ConfigFile, ASaveIntoAMissingFolderFailsAndSaysWhy) {
  ConfigFile file;
  file.open("/nonexistent-folder/prodmcp.toml");
  QString error;
  EXPECT_FALSE(file.save("x = 1\n", &error));
  EXPECT_FALSE(error.isEmpty());
}

TEST(ConfigFile, NoticesChangesMadeByOthersButNotItsOwn) {
  QTemporaryDir dir;
  auto const path = dir.filePath("prodmcp.toml");
  ASSERT_TRUE(write_text_file(path, "[cache]\nttl_s = 1\n"));
  ConfigFile file;
  EXPECT_EQ(file.open(path), "[cache]\nttl_s = 1\n");
  QSignalSpy changed(&file, &ConfigFile::changed_on_disk);
  ASSERT_TRUE(file.save("[cache]\nttl_s = 2\n"));
  QTest::qWait(400);
  EXPECT_EQ(changed.count(), 0);
  // Another editor replaces the file by a rename, as most do.
  ASSERT_TRUE(write_text_file(dir.filePath("other.tmp"), "[cache]\nttl_s = 3\n"));
  ASSERT_TRUE(QFile::rename(dir.filePath("other.tmp"), path) || (QFile::remove(path) && QFile::rename(dir.filePath("other.tmp"), path)));
  ASSERT_TRUE(QTest::qWaitFor([&] { return changed.count() > 0; }, 3000));
  EXPECT_EQ(changed.last().at(0).toString(), "[cache]\nttl_s = 3\n");
  // And the watch survives the rename: an in-place write is noticed too.
  ASSERT_TRUE(write_text_file(path, "[cache]\nttl_s = 4\n"));
  ASSERT_TRUE(QTest::qWaitFor([&] { return changed.count() > 1; }, 3000));
  EXPECT_EQ(file.disk_text(), "[cache]\nttl_s = 4\n");
}

TEST(ConfigComparison, TellsHowAnApplyChangesEachKey) {
  auto const schema = ConfigSchema::builtin();
  auto const document = config_of({{"logging.level", "debug", "file a.toml:2"},
                                   {"server.workers", 4, "file a.toml:3"},
                                   {"server.listen", "127.0.0.1:8080", "default"},
                                   {"cache.ttl_s", 60, "file a.toml:4"},
                                   {"limits.max_request_size", 1048576, "default"}});
  auto const running = config_of({{"logging.level", "info", "default"},
                                  {"server.workers", 0, "default"},
                                  {"server.listen", "127.0.0.1:0", "flag --listen"},
                                  {"cache.ttl_s", 30, "file a.toml:4"},
                                  {"limits.max_request_size", 1048576, "default"}},
                                 QJsonArray{"cache.ttl_s"});
  auto const rows = compare_with_running(document, running, schema);
  auto status_of = [&](QString const& key) {
    for (auto const& row : rows)
      if (row.key == key) return row.status;
    ADD_FAILURE() << "no row for " << key.toStdString();
    return ComparisonRow::Status::kSame;
  };
  EXPECT_EQ(status_of("logging.level"), ComparisonRow::Status::kReload);
  EXPECT_EQ(status_of("server.workers"), ComparisonRow::Status::kRestart);
  EXPECT_EQ(status_of("server.listen"), ComparisonRow::Status::kOverridden);
  EXPECT_EQ(status_of("cache.ttl_s"), ComparisonRow::Status::kPending);
  EXPECT_EQ(status_of("limits.max_request_size"), ComparisonRow::Status::kSame);

  ConfigComparisonModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  model.set_titles("document", "running");
  model.set_rows(rows);
  EXPECT_EQ(model.rowCount(), int(schema.keys().size()));
  EXPECT_GE(model.difference_count(), 4);
  model.set_only_differences(true);
  EXPECT_EQ(model.rowCount(), model.difference_count());
  EXPECT_EQ(model.headerData(ConfigComparisonModel::kRight, Qt::Horizontal).toString(), "running");
  bool found = false;
  for (int row = 0; row < model.rowCount(); ++row) {
    if (model.index(row, ConfigComparisonModel::kKey).data().toString() != "logging.level") continue;
    found = true;
    EXPECT_EQ(model.index(row, ConfigComparisonModel::kLeft).data().toString(), "debug");
    EXPECT_EQ(model.index(row, ConfigComparisonModel::kRight).data().toString(), "info");
    EXPECT_EQ(model.index(row, ConfigComparisonModel::kLeft).data(Qt::ToolTipRole).toString(), "file a.toml:2");
  }
  EXPECT_TRUE(found);
}

TEST(ConfigComparison, TwoProfilesOfOneDocument) {
  auto const schema = ConfigSchema::builtin();
  auto const rows = compare_profiles(config_of({{"logging.format", "text", "profile development"}, {"server.workers", 0, "default"}}),
                                     config_of({{"logging.format", "json", "profile production"}, {"server.workers", 0, "default"}}),
                                     schema);
  int differing = 0;
  for (auto const& row : rows) differing += row.status == ComparisonRow::Status::kDiffers;
  EXPECT_EQ(differing, 1);
}
