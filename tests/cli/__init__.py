"""Tests of the `lapor-admin` command line."""
