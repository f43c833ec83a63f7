"""The one HTTP handler every adapter shares: routes, multipart parsing, the handler."""
