"""Shared Qt pieces every feature may use: services, tasks, settings, icons, table and XML views."""
