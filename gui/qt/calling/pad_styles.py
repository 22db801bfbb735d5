"""The colours of the dial pad's texts and of its Call and Hang up buttons: what is fine,
what is wrong, what to look out for."""

OK_STYLE = "color: palette(text);"
ERROR_STYLE = "color: #b3261e;"
WARN_STYLE = "color: #8a5300;"

_BUTTON = (
    "QPushButton {{ background: {colour}; color: white; font-weight: bold; "
    "border-radius: 4px; padding: 4px 16px; }} "
    "QPushButton:disabled {{ background: #9aa0a6; }}"
)
CALL_STYLE = _BUTTON.format(colour="#1e8e3e")  # green, as on a phone
HANG_UP_STYLE = _BUTTON.format(colour="#c5221f")  # red
