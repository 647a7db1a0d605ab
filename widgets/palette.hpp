#pragma once
// The console's status colours and the small badge they paint, in one place.
#include <QColor>
#include <QString>

namespace prodmcp::console::palette {

inline QColor const kGood{0x2e, 0x7d, 0x32};
inline QColor const kWarn{0xef, 0x6c, 0x00};
inline QColor const kBad{0xc6, 0x28, 0x28};
inline QColor const kIdle{0x75, 0x75, 0x75};
inline QColor const kAccent{0x15, 0x65, 0xc0};

// Rich-text badge for labels: white text on a rounded coloured block.
inline QString badge(QString const& text, QColor const& color) {
  return QStringLiteral("<span style='background:%1;color:white;'>&nbsp;%2&nbsp;</span>")
      .arg(color.name(), text.toHtmlEscaped());
}

}  // namespace prodmcp::console::palette
