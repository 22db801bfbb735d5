"""The serve-and-watch loop: the Flow server panel and the Requests log."""
