"""The colours of the dial pad's texts: what is fine, what is wrong, what to look out for."""

OK_STYLE = "color: palette(text);"
ERROR_STYLE = "color: #b3261e;"
WARN_STYLE = "color: #8a5300;"
