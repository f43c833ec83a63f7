"""pytest glue: settings, fixtures of each part, live options. Imported only by plugin.py."""
