"""Bot API methods by area, one mixin class each; BotApiSimulator combines them."""
