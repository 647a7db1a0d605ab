// The console tests' main: models, timers and queued signals need a QCoreApplication and its event
// loop, which GTest::gtest_main does not create.
#include <gtest/gtest.h>

#include <QCoreApplication>

int main(int argc, char** argv) {
  QCoreApplication application(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
