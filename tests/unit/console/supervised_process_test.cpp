// SupervisedProcess with real child processes (sh): stop escalation, restarts, output lines.
#include "supervision/supervised_process.hpp"

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include "supervision/exit_description.hpp"

using namespace prodmcp::console;
using State = SupervisedProcess::State;

namespace {

bool wait_for_state(SupervisedProcess& process, State state, int timeout_ms = 10'000) {
  return QTest::qWaitFor([&] { return process.state() == state; }, timeout_ms);
}

}  // namespace

TEST(SupervisedProcess, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  SupervisedProcess process("stubborn");
  process.set_program("/bin/sh");
  process.set_arguments({"-c", "trap '' TERM; echo up; while :; do sleep 0.1; done"});
  process.set_stop_timeout_ms(300);
  QSignalSpy events(&process, &SupervisedProcess::event);
  QList<QByteArray> output;
  QObject::connect(&process, &SupervisedProcess::output_lines, [&](QList<QByteArray> const& lines) { output += lines; });
  process.start();
  ASSERT_TRUE(QTest::qWaitFor([&] { return output.contains("up"); }, 5000));
  process.mark_ready();
  EXPECT_EQ(process.state(), State::kRunning);
  EXPECT_GT(process.pid(), 0);
  process.stop();
  EXPECT_EQ(process.state(), State::kStopping);
  ASSERT_TRUE(wait_for_state(process, State::kStopped));
  EXPECT_EQ(process.last_exit_reason(), "killed by SIGKILL");
  bool killed = false;
  for (auto const& event : events) killed = killed || event.at(0).toString() == "kill";
  EXPECT_TRUE(killed) << "the kill was not reported";
  EXPECT_EQ(process.restarts(), 0) << "a requested stop is not restarted";
}

TEST(SupervisedProcess, RestartsAfterAFailureAndGivesUpInACrashLoop) {
  SupervisedProcess process("flaky");
  process.set_program("/bin/sh");
  process.set_arguments({"-c", R"(echo '{"level":"error","event":"boom","problem":"disk on fire"}'; exit 3)"});
  process.set_restart_options({.initial_backoff = std::chrono::milliseconds(20), .crash_loop_exits = 3});
  process.start();
  ASSERT_TRUE(wait_for_state(process, State::kFailed));
  EXPECT_EQ(process.restarts(), 2);
  EXPECT_TRUE(process.last_exit_reason().startsWith("exited with code 3 (boom: disk on fire)"))
      << process.last_exit_reason().toStdString();
  EXPECT_TRUE(process.last_exit_reason().contains("crash loop: 3 exits")) << process.last_exit_reason().toStdString();
  // Starting by hand forgets the loop and tries again.
  process.start();
  EXPECT_NE(process.state(), State::kFailed);
  ASSERT_TRUE(wait_for_state(process, State::kFailed));
}

TEST(SupervisedProcess, CleanExitIsNotRestartedOnFailurePolicy) {
  SupervisedProcess process("oneshot");
  process.set_program("/bin/sh");
  process.set_arguments({"-c", "printf 'partial line without newline'"});
  QList<QByteArray> output;
  QObject::connect(&process, &SupervisedProcess::output_lines, [&](QList<QByteArray> const& lines) { output += lines; });
  process.start();
  ASSERT_TRUE(wait_for_state(process, State::kStopped));
  EXPECT_EQ(process.restarts(), 0);
  EXPECT_EQ(process.last_exit_reason(), "exited with code 0");
  EXPECT_TRUE(output.contains("partial line without newline"));
}

TEST(SupervisedProcess, RestartByHandStopsThenStarts) {
  SupervisedProcess process("sleeper");
  process.set_program("/bin/sh");
  process.set_arguments({"-c", "exec sleep 30"});
  process.start();
  process.mark_ready();
  auto const first = process.pid();
  ASSERT_GT(first, 0);
  process.restart();
  ASSERT_TRUE(QTest::qWaitFor([&] { return process.pid() != 0 && process.pid() != first; }, 10'000));
  EXPECT_EQ(process.state(), State::kStarting);
  process.stop();
  ASSERT_TRUE(wait_for_state(process, State::kStopped));
}

TEST(ExitDescription, SaysTheCodeOrTheSignalByName) {
  QProcess killed;
  killed.start("sh", {"-c", "kill -KILL $$"});
  ASSERT_TRUE(killed.waitForFinished(10'000));
  EXPECT_EQ(exit_description(killed.exitCode(), killed.exitStatus()), "killed by SIGKILL");
  QProcess aborted;
  aborted.start("sh", {"-c", "kill -ABRT $$"});
  ASSERT_TRUE(aborted.waitForFinished(10'000));
  EXPECT_EQ(exit_description(aborted.exitCode(), aborted.exitStatus()), "killed by SIGABRT");
  QProcess failed;
  failed.start("sh", {"-c", "exit 3"});
  ASSERT_TRUE(failed.waitForFinished(10'000));
  EXPECT_EQ(exit_description(failed.exitCode(), failed.exitStatus()), "exited with code 3");
}
