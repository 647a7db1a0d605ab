// The config editor page, offscreen, on real files and a real prodmcp-server: the form and the text
// edit one document; the server's checker marks errors; apply reloads or restarts the server, and a
// change that makes it not ready is rolled back.
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "config_form.hpp"
#include "support/text_files.hpp"
#include "config_page.hpp"
#include "main_window.hpp"

using namespace prodmcp::console;
using prodmcp::testing::read_text_file;
using prodmcp::testing::write_text_file;

namespace {

ConsoleOptions options_for(QString const& config_file, bool autostart) {
  ConsoleOptions options;
  options.launch.binary = PRODMCP_SERVER_BINARY;
  options.launch.config_file = config_file;
  options.health_interval_ms = 300;
  options.autostart = autostart;
  return options;
}

// The running server's GET /config: key -> {value, origin}.
QJsonObject running_config(QUrl admin_url) {
  QNetworkAccessManager network;
  admin_url.setPath("/config");
  QNetworkRequest request(admin_url);
  request.setTransferTimeout(3000);
  auto* reply = network.get(request);
  QSignalSpy finished(reply, &QNetworkReply::finished);
  finished.wait(5000);
  QJsonObject result;
  for (auto const& item : QJsonDocument::fromJson(reply->readAll()).object().value("keys").toArray())
    result.insert(item.toObject().value("key").toString(), item.toObject());
  reply->deleteLater();
  return result;
}

bool timeline_has(ConsoleSession& session, QString const& kind, QString const& text = {}) {
  for (auto const& event : session.events().events())
    if (event.kind == kind && event.message.contains(text)) return true;
  return false;
}

// The keys an apply would change, as "key (reload)" or "key (restart)".
QStringList apply_changes(ConfigEditor& editor) {
  QStringList changes;
  for (auto const& row : editor.running_comparison().shown()) {
    if (row.status == ComparisonRow::Status::kReload) changes << row.key + " (reload)";
    if (row.status == ComparisonRow::Status::kRestart) changes << row.key + " (restart)";
  }
  return changes;
}

QString const kConfig = QStringLiteral(
    "# a config for the editor tests\n"
    "[logging]\n"
    "level = \"info\"\n"
    "\n"
    "[health]\n"
    "check_interval_s = 1\n");

// A console window on a config file holding `text` (in a scratch folder), optionally with its
// server started and ready.
struct EditorUnderTest {
  QTemporaryDir dir;
  QString path;
  ConsoleSession session;
  MainWindow window;
  ConfigPage* page;

  explicit EditorUnderTest(bool start_server, QString const& text = kConfig)
      : path(written(dir, text)), session(options_for(path, start_server)), window(session), page(window.config_page()) {
    window.resize(1280, 800);
    window.show();
    if (start_server) session.begin();
  }
  bool server_ready() {
    return session.supervisor()->server().state() == SupervisedProcess::State::kRunning && session.health().ready();
  }
  static QString written(QTemporaryDir const& dir, QString const& text) {
    auto const path = dir.filePath("prodmcp.toml");
    if (!write_text_file(path, text)) QTest::qFail(qPrintable("cannot write " + path), __FILE__, __LINE__);
    return path;
  }
};

}  // namespace

class ConfigPageTest : public QObject {
  Q_OBJECT
 private slots:
  void theFormAndTheTextEditOneDocument() {
    EditorUnderTest editor(false);
    auto* page = editor.page;
    QCOMPARE(page->text_edit()->toPlainText(), kConfig);

    // A choice in the form rewrites only that value in the text, comment and layout kept.
    auto* level = qobject_cast<QComboBox*>(page->form()->field("logging.level"));
    QVERIFY(level);
    QCOMPARE(level->currentText(), QString("info"));
    int const debug = level->findText("debug");
    level->setCurrentIndex(debug);
    emit level->activated(debug);
    QCOMPARE(page->text_edit()->toPlainText(), QString(kConfig).replace("\"info\"", "\"debug\""));

    // A typed value lands in its section; the form's default button takes it out again.
    auto* ttl = qobject_cast<QLineEdit*>(page->form()->field("cache.ttl_s"));
    QVERIFY(ttl);
    QVERIFY(ttl->placeholderText().contains("300"));
    QTest::keyClicks(ttl, "120");
    QVERIFY2(page->text_edit()->toPlainText().endsWith("[cache]\nttl_s = 120\n"), qPrintable(page->text_edit()->toPlainText()));
    QVERIFY(editor.session.config_editor().modified());

    // And back: the text view edits the same document, and the form follows.
    auto text = page->text_edit()->toPlainText();
    page->text_edit()->setPlainText(text.replace("\"debug\"", "\"warning\"").replace("ttl_s = 120", "ttl_s = 45"));
    QCOMPARE(level->currentText(), QString("warning"));
    QCOMPARE(ttl->text(), QString("45"));
    level->setCurrentIndex(0);
    emit level->activated(0);  // "default": the key leaves the file
    QVERIFY(!page->text_edit()->toPlainText().contains("level ="));

    // A value the key cannot take is refused on the field; the text stays as it was.
    auto const before = page->text_edit()->toPlainText();
    auto* workers = qobject_cast<QLineEdit*>(page->form()->field("server.workers"));
    QTest::keyClicks(workers, "many");
    QCOMPARE(page->text_edit()->toPlainText(), before);
    QVERIFY(!page->form()->field_problem("server.workers").isEmpty());
  }

  void anInvalidConfigIsMarkedAndNotSaved() {
    EditorUnderTest editor(false);
    auto* page = editor.page;
    auto const& path = editor.path;
    page->text_edit()->setPlainText(kConfig + "\n[server]\nworkers = \"four\"\n");
    QVERIFY(page->status_label()->text().contains("1 error"));
    QCOMPARE(page->problems_list()->count(), 1);
    QVERIFY2(page->problems_list()->item(0)->text().startsWith("9:11: error: server.workers"),
             qPrintable(page->problems_list()->item(0)->text()));
    // Marked at its line and column in the text, and on the field in the form.
    auto const marks = page->text_edit()->extraSelections();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(marks[0].cursor.blockNumber(), 8);
    QCOMPARE(marks[0].cursor.selectedText(), QString("\"four\""));
    QVERIFY(page->form()->field_problem("server.workers").contains("must be an integer"));
    QVERIFY(!page->save());
    QVERIFY(page->apply_label()->text().contains("error"));
    QCOMPARE(read_text_file(path), kConfig);
    QVERIFY(!QFile::exists(path + ".bak"));
  }

  void applyReloadsTheServerAndTheRunningConfigChanges() {
    EditorUnderTest under_test(true);
    QTRY_VERIFY_WITH_TIMEOUT(under_test.server_ready(), 15000);
    auto& session = under_test.session;
    auto& server = session.supervisor()->server();
    auto const& path = under_test.path;
    auto* page = under_test.page;
    auto& editor = session.config_editor();
    editor.applier().set_gate_ms(1500);
    // Nothing for an apply to change yet: what differs is set by the console's flags and environment.
    QTRY_VERIFY_WITH_TIMEOUT(editor.running_problem().isEmpty() && editor.running_comparison().rowCount() > 0, 5000);
    QCOMPARE(apply_changes(editor), QStringList());
    auto const pid = server.pid();

    auto* level = qobject_cast<QComboBox*>(page->form()->field("logging.level"));
    int const debug = level->findText("debug");
    level->setCurrentIndex(debug);
    emit level->activated(debug);
    // Before the apply, the comparison says what it will do.
    QTRY_COMPARE_WITH_TIMEOUT(apply_changes(editor), QStringList({"logging.level (reload)"}), 5000);

    QSignalSpy finished(&editor.applier(), &ConfigApplier::finished);
    page->apply_button()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
    QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][1].toString()));
    QVERIFY(page->apply_label()->text().contains("applied"));
    QCOMPARE(server.pid(), pid);  // a reload, not a restart
    auto const running = running_config(session.admin_url());
    QCOMPARE(running.value("logging.level").toObject().value("value").toString(), QString("debug"));
    QVERIFY(running.value("logging.level").toObject().value("origin").toString().startsWith("file"));
    QVERIFY(read_text_file(path).contains("level = \"debug\""));
    QCOMPARE(read_text_file(path + ".bak"), kConfig);
    QVERIFY(timeline_has(session, "config_reloaded", "logging.level"));
    QVERIFY(timeline_has(session, "config_applied"));
    QTRY_COMPARE_WITH_TIMEOUT(apply_changes(editor), QStringList(), 5000);

    // A key that needs a restart: the console restarts the server with the file.
    auto* workers = qobject_cast<QLineEdit*>(page->form()->field("server.workers"));
    QTest::keyClicks(workers, "1");
    QCOMPARE(apply_changes(editor), QStringList({"server.workers (restart)"}));
    finished.clear();
    page->apply_button()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][1].toString()));
    QVERIFY(server.pid() != pid);
    QCOMPARE(running_config(session.admin_url()).value("server.workers").toObject().value("value").toInt(), 1);
  }

  void aChangeThatMakesTheServerNotReadyIsRolledBack() {
    EditorUnderTest under_test(true);
    QTRY_VERIFY_WITH_TIMEOUT(under_test.server_ready(), 15000);
    auto& session = under_test.session;
    auto const& path = under_test.path;
    auto& editor = session.config_editor();
    editor.applier().set_gate_ms(5000);
    // Valid, but no disk has a petabyte free: the disk_space check fails once it is in force.
    QCOMPARE(editor.document().set_value("health.disk_min_free_mb", "1073741824"), QString());
    QSignalSpy finished(&editor.applier(), &ConfigApplier::finished);
    under_test.page->apply_button()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY(!finished[0][0].toBool());
    QVERIFY2(finished[0][1].toString().contains("disk_space"), qPrintable(finished[0][1].toString()));
    QVERIFY2(finished[0][1].toString().contains("back in effect"), qPrintable(finished[0][1].toString()));
    QCOMPARE(read_text_file(path), kConfig);
    QVERIFY(timeline_has(session, "config_rolled_back", "disk_space"));
    QCOMPARE(running_config(session.admin_url()).value("health.disk_min_free_mb").toObject().value("value").toInt(), 100);
    QTRY_VERIFY_WITH_TIMEOUT(session.health().ready(), 10000);
    // The editor shows the file as it is again.
    QCOMPARE(editor.document().text(), kConfig);
  }

  void changesOnDiskAreNoticed() {
    EditorUnderTest editor(false);
    auto& session = editor.session;
    auto const& path = editor.path;
    auto* page = editor.page;
    // No unsaved edits: the editor takes the new version and says so.
    QVERIFY(write_text_file(path, kConfig + "\n[cache]\nttl_s = 5\n"));
    QTRY_VERIFY_WITH_TIMEOUT(page->text_edit()->toPlainText().contains("ttl_s = 5"), 5000);
    QVERIFY(timeline_has(session, "config_file_changed"));
    QVERIFY(page->conflict_bar()->isHidden());
    // Unsaved edits are not overwritten: the page asks.
    session.config_editor().document().set_value("cache.ttl_s", "6");
    QVERIFY(write_text_file(path, kConfig + "\n[cache]\nttl_s = 7\n"));
    QTRY_VERIFY_WITH_TIMEOUT(!page->conflict_bar()->isHidden(), 5000);
    QVERIFY(page->text_edit()->toPlainText().contains("ttl_s = 6"));
    QVERIFY(session.config_editor().modified());
  }

  void comparesTwoProfiles() {
    ConsoleSession session(options_for({}, false));
    MainWindow window(session);
    auto& editor = session.config_editor();
    editor.compare_profiles("development", "production");
    auto& model = editor.profile_comparison();
    QVERIFY(model.difference_count() > 0);
    QStringList keys;
    for (auto const& row : model.shown()) keys << row.key;
    QVERIFY2(keys.contains("auth.enabled"), qPrintable(keys.join(",")));
  }

  // Not a check: the page with real data for docs/ when PRODMCP_SCREENSHOT_DIR is set.
  void screenshotOfTheConfigPage() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    auto const config = kConfig + "\n[cache]\nttl_s = 120\n\n[server]\nworkers = 2\n";
    EditorUnderTest under_test(true, config);
    QTRY_VERIFY_WITH_TIMEOUT(under_test.server_ready(), 15000);
    auto& session = under_test.session;
    auto& window = under_test.window;
    window.show_page("Config");
    auto* page = under_test.page;
    auto shoot = [&](int tab, QString const& name) {
      page->tabs()->setCurrentIndex(tab);
      QTest::qWait(1000);
      QVERIFY(window.grab().save(QDir(directory).filePath(QStringLiteral("console-%1.png").arg(name))));
    };
    shoot(0, "config");
    page->text_edit()->setPlainText(QString(config).replace("workers = 2", "workers = \"four\"").replace("ttl_s", "tll_s"));
    shoot(1, "config-text");
    page->text_edit()->setPlainText(QString(config).replace("\"info\"", "\"debug\"").replace("workers = 2", "workers = 4"));
    session.config_editor().refresh_running();
    shoot(2, "config-diff");
  }
};

QTEST_MAIN(ConfigPageTest)
#include "config_page_test.moc"
