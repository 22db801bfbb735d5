"""The main window and its file actions: it composes the features and wires them together."""
