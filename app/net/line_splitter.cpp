#include "net/line_splitter.hpp"

namespace prodmcp::console {

QByteArray LineSplitter::cut_marker(qsizetype dropped) {
  return "...[cut, " + QByteArray::number(dropped) + " more bytes]";
}

QList<QByteArray> LineSplitter::feed(QByteArray const& data) {
  QList<QByteArray> lines;
  qsizetype begin = 0;
  while (begin < data.size()) {
    auto const newline = data.indexOf('\n', begin);
    auto const end = newline < 0 ? data.size() : newline;
    auto const room = max_line_ - partial_.size();
    auto const piece = end - begin;
    if (piece <= room) {
      partial_.append(data.constData() + begin, piece);
    } else {
      partial_.append(data.constData() + begin, std::max<qsizetype>(room, 0));
      dropped_ += piece - std::max<qsizetype>(room, 0);
    }
    if (newline < 0) break;
    if (partial_.endsWith('\r') && dropped_ == 0) partial_.chop(1);
    if (dropped_ > 0) partial_ += cut_marker(dropped_);
    lines.append(std::move(partial_));
    partial_.clear();
    dropped_ = 0;
    begin = newline + 1;
  }
  return lines;
}

QByteArray LineSplitter::take_rest() {
  QByteArray rest = std::move(partial_);
  if (dropped_ > 0) rest += cut_marker(dropped_);
  clear();
  return rest;
}

void LineSplitter::clear() {
  partial_.clear();
  dropped_ = 0;
}

}  // namespace prodmcp::console
