#pragma once
// Splits a byte stream (a server's stderr, its /logs stream) into lines as it arrives. A line
// longer than the limit is cut there, marked, and the rest of it skipped until its newline, so an
// endless line cannot grow the console without bound.
#include <QByteArray>
#include <QList>

namespace prodmcp::console {

class LineSplitter {
 public:
  static constexpr qsizetype kDefaultMaxLine = 1 << 20;
  explicit LineSplitter(qsizetype max_line = kDefaultMaxLine) : max_line_(max_line) {}

  // The lines `data` completes (without their "\n" or "\r\n").
  QList<QByteArray> feed(QByteArray const& data);
  // The unfinished last line, at the end of a stream.
  QByteArray take_rest();
  void clear();

  static QByteArray cut_marker(qsizetype dropped);

 private:
  qsizetype const max_line_;
  QByteArray partial_;
  qsizetype dropped_ = 0;  // bytes of the current line skipped past the limit
};

}  // namespace prodmcp::console
