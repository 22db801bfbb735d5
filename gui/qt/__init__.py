"""Everything that imports Qt: app start-up, the main window, models and panels."""
