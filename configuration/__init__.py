"""Settings read from the environment, shared by the bot and the admin command line."""
