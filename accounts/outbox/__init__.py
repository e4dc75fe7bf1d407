"""The Outbox: the emails the embedded default sent, each readable by whom ``accounts.access`` says."""
