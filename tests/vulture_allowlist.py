"""Names vulture cannot see used: framework hooks, enum members offered by iteration, columns
written by keyword. Read by `vulture` (paths in pyproject.toml); never imported."""
# ruff: noqa: B018, F821

_.NOT_AUTHORITY  # ReturnReason members are offered by iterating the enum
_.DUPLICATE
_.NOT_COMPLAINT
_.show_alert  # aiogram CallbackAnswer property
_.isolation_level  # sqlite3 connection attribute
_.received_at  # columns written with insert(...).values(**row) or read by the CLI export
_.used_by
_.sent_at
_.last_error
_.has_photo
_.supports_statement_cache  # SQLAlchemy dialect hooks
_.get_pool_class
_.do_begin
_._async_soft_close
_.postgres  # a pytest fixture requested by name
pytest_sessionfinish  # pytest hook (tests/conftest.py drops the run's database)
